import Neurona
import NeuronaTestSupport
import Testing

@Test func meanSquaredErrorHasItsTextbookValueAndGradient() {
  let result = MeanSquaredError().evaluate(
    Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), Tensor(shape: [2, 2], scalars: [1, 0, 3, 0]))
  // ((0)² + (2)² + 0 + (4)²) / 4 = 5; gradient 2(ŷ − y)/4.
  #expect(result.value == 5)
  #expect(result.gradient.scalars == [0, 1, 0, 2])
}

@Test func softmaxCrossEntropyMatchesNumPy() {
  // numpy: z=np.array([[1.,2.,3.],[1.,-1.,0.]]); y=[2,0]
  //   lse=np.log(np.exp(z).sum(1)); np.mean(lse-z[[0,1],y]) → 0.40760596
  let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 1, -1, 0])
  let result = SoftmaxCrossEntropy().evaluate(logits, Tensor(shape: [2], scalars: [2, 0]))
  #expect(abs(result.value - 0.40760596) < 1e-6)
}

@Test func softmaxCrossEntropyIsStableForHugeLogits() {
  let logits = Tensor(shape: [1, 3], scalars: [10000, 0, -10000])
  let good = SoftmaxCrossEntropy().evaluate(logits, Tensor(shape: [1], scalars: [0]))
  let bad = SoftmaxCrossEntropy().evaluate(logits, Tensor(shape: [1], scalars: [2]))
  #expect(good.value == 0)
  #expect(bad.value == 20000)
  #expect(good.gradient.isFinite && bad.gradient.isFinite)
}

@Test func binaryCrossEntropyOnLogitsMatchesNumPy() {
  // numpy (−log σ(z) = logaddexp(0, −z); the naive 1 − p loses precision at z = 30):
  //   z=np.array([2.,-1.,0.,30.]); y=np.array([1.,0.,1.,0.])
  //   np.mean(np.logaddexp(0,z)-z*y) → 7.78333424
  let result = BinaryCrossEntropy().evaluate(
    Tensor(shape: [4], scalars: [2, -1, 0, 30]), Tensor(shape: [4], scalars: [1, 0, 1, 0]))
  #expect(abs(result.value - 7.78333424) < 1e-5)
}

@Test func lossGradientsMatchFiniteDifferences() {
  let logits = randomTensor([4, 5], low: -3, high: 3)
  let labels = Tensor(shape: [4], scalars: [0, 4, 2, 2])
  #expect(checkLossGradient(SoftmaxCrossEntropy(), prediction: logits, target: labels).isEmpty)
  let targets = randomTensor([4, 5], low: 0, high: 1, seed: 9)
  #expect(checkLossGradient(BinaryCrossEntropy(), prediction: logits, target: targets).isEmpty)
  #expect(checkLossGradient(MeanSquaredError(), prediction: logits, target: targets).isEmpty)
}

@Test func l2PenaltyIsLambdaTimesSquaredNormOfWeightsOnly() {
  let weight = Parameter(Tensor(shape: [2], scalars: [1, -2]))
  let bias = Parameter(Tensor(shape: [1], scalars: [5]), role: .bias)
  let penalty = L2Regularization(lambda: 0.1).apply(to: [weight, bias])
  #expect(abs(penalty - 0.5) < 1e-6)  // 0.1 · (1 + 4)
  #expect(isClose(weight.gradient.scalars, [0.2, -0.4], tolerance: 1e-7))  // 2λw
  #expect(bias.gradient.scalars == [0])
}

@Test func softDiceMatchesNumPyAndItsGradient() {
  // numpy: z=np.array([2.,-1.,0.5,-3.]); g=np.array([1.,0.,1.,1.]); p=1/(1+np.exp(-z))
  //   1-(2*(p*g).sum()+1)/(p.sum()+g.sum()+1) → 0.29525262
  let z = Tensor(shape: [4], scalars: [2, -1, 0.5, -3])
  let g = Tensor(shape: [4], scalars: [1, 0, 1, 1])
  #expect(abs(SoftDiceLoss().evaluate(z, g).value - 0.29525262) < 1e-6)
  #expect(
    checkLossGradient(
      SoftDiceLoss(), prediction: randomTensor([2, 1, 3, 3]),
      target: randomTensor([2, 1, 3, 3], low: 0, high: 1, seed: 3).map { $0 > 0.5 ? 1 : 0 }
    ).isEmpty)
  let combined = CombinedLoss([(1, BinaryCrossEntropy()), (0.5, SoftDiceLoss())])
  #expect(checkLossGradient(combined, prediction: z, target: g).isEmpty)
}
