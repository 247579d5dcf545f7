// Per-pixel softmax losses (the `boundary3` segmenter's): values against NumPy, gradients
// against finite differences.
import Neurona
import NeuronaTestSupport
import Testing

/// Logits [1, 3, 1, 2] (K = 3 classes, two pixels) with classes [0, 2].
private let logits = Tensor(shape: [1, 3, 1, 2], scalars: [1, 2, 0, -1, -1, 0.5])
private let classes = Tensor(shape: [1, 1, 1, 2], scalars: [0, 2])

@Test func pixelCrossEntropyMatchesNumPyWithClassWeights() {
  // numpy: z=np.array([[[[1.,2.]],[[0.,-1.]],[[-1.,0.5]]]]); y=np.array([0,2]); w=np.array([1.,1.,2.])
  //   lse=np.log(np.exp(z[0,:,0,:]).sum(0)); nll=lse-z[0,y,0,[0,1]]
  //   (w[y]*nll).sum()/w[y].sum() → 1.29674285
  let result = PixelCrossEntropy(classWeights: [1, 1, 2]).evaluate(logits, classes)
  #expect(abs(result.value - 1.29674285) < 1e-5)
}

@Test func pixelSoftmaxDiceMatchesNumPy() {
  // numpy (same z, y): p=np.exp(z[0,:,0,:])/np.exp(z[0,:,0,:]).sum(0)
  //   mean over c in (1, 2) of 1-(2*(p[c]*(y==c)).sum()+1)/(p[c].sum()+(y==c).sum()+1) → 0.31244448
  #expect(abs(PixelSoftmaxDice().evaluate(logits, classes).value - 0.31244448) < 1e-5)
}

@Test func pixelSoftmaxLossGradientsMatchFiniteDifferences() {
  let z = randomTensor([2, 3, 3, 3], low: -2, high: 2)
  let y = randomTensor([2, 1, 3, 3], low: 0, high: 2.999, seed: 11).map { $0.rounded(.down) }
  #expect(
    checkLossGradient(PixelCrossEntropy(classWeights: [1, 1, 3]), prediction: z, target: y).isEmpty)
  #expect(checkLossGradient(PixelSoftmaxDice(), prediction: z, target: y).isEmpty)
  let combined = CombinedLoss([(1, PixelCrossEntropy()), (1, PixelSoftmaxDice())])
  #expect(checkLossGradient(combined, prediction: z, target: y).isEmpty)
}

@Test func pixelSoftmaxSumsToOneOverChannels() {
  let p = pixelSoftmax(randomTensor([2, 4, 3, 5], low: -20, high: 20))
  for b in 0..<2 {
    for i in 0..<3 {
      for j in 0..<5 {
        let sum = (0..<4).reduce(Float(0)) { $0 + p[b, $1, i, j] }
        #expect(abs(sum - 1) < 1e-5)
      }
    }
  }
}
