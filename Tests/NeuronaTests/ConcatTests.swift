// Tests of channel concatenation and splitting (the U-Net's skip connections).
import Neurona
import NeuronaTestSupport
import Testing

@Test func concatenateThenSplitRoundTrips() {
  let a = randomTensor([2, 3, 4, 5], seed: 1)
  let b = randomTensor([2, 2, 4, 5], seed: 2)
  let joined = Concat.concatenateChannels(a, b)
  #expect(joined.shape == [2, 5, 4, 5])
  // Image 1 holds a's 3 channels, then b's 2.
  #expect(joined[1, 2, 3, 4] == a[1, 2, 3, 4])
  #expect(joined[1, 3, 0, 1] == b[1, 0, 0, 1])
  let (first, second) = Concat.splitChannels(joined, at: 3)
  #expect(first == a && second == b)
}

@Test func concatenationGradientFlowsBackToBothBranches() {
  // A skip block: y = conv(concat(skip, up(x))), with the gradient split back by hand.
  var generator = SplitMix64(seed: 3)
  let upsample = Upsample(scale: 2)
  let convolution = Conv2D(3, 2, kernelSize: 3, padding: 1, using: &generator)
  let skip = randomTensor([1, 2, 4, 4], seed: 4)
  let x = randomTensor([1, 1, 2, 2], seed: 5)
  func loss(_ skip: Tensor, _ x: Tensor) -> Double {
    let joined = Concat.concatenateChannels(skip, upsample.forward(x, mode: .training))
    return convolution.forward(joined, mode: .training).sum()
  }
  _ = loss(skip, x)
  let dJoined = convolution.backward(Tensor(repeating: 1, shape: [1, 2, 4, 4]))
  let (dSkip, dUp) = Concat.splitChannels(dJoined, at: 2)
  let dx = upsample.backward(dUp)
  let eps: Float = 1e-2
  for (index, analytic) in [(5, dSkip.scalars[5]), (21, dSkip.scalars[21])] {
    var plus = skip
    var minus = skip
    plus.scalars[index] += eps
    minus.scalars[index] -= eps
    let numeric = (loss(plus, x) - loss(minus, x)) / Double(2 * eps)
    #expect(abs(numeric - Double(analytic)) < 1e-2)
  }
  for index in 0..<4 {
    var plus = x
    var minus = x
    plus.scalars[index] += eps
    minus.scalars[index] -= eps
    let numeric = (loss(skip, plus) - loss(skip, minus)) / Double(2 * eps)
    #expect(abs(numeric - Double(dx.scalars[index])) < 1e-2)
  }
}

// Big tensors are copied image by image on the workers; empty parts are allowed.
/// Big batches (images shared between the workers) and a big lone image (its floats shared in
/// ranges that straddle the two parts), with either part empty too.
@Test(arguments: [5, 1])
func bigAndEmptyConcatenationsRoundTrip(images n: Int) {
  for (channelsA, channelsB) in [(5, 7), (0, 6), (6, 0)] {
    let a = randomTensor([n, channelsA, 60, 61], seed: 1)
    let b = randomTensor([n, channelsB, 60, 61], seed: 2)
    let joined = Concat.concatenateChannels(a, b)
    #expect(joined.shape == [n, channelsA + channelsB, 60, 61])
    if channelsA > 0 {
      #expect(joined[n - 1, channelsA - 1, 59, 60] == a[n - 1, channelsA - 1, 59, 60])
    }
    if channelsB > 0 { #expect(joined[n - 1, channelsA, 1, 2] == b[n - 1, 0, 1, 2]) }
    let (first, second) = Concat.splitChannels(joined, at: channelsA)
    #expect(first == a && second == b)
  }
}

// A skip connection's two gradients are summed with `add`, split between the workers when big.
@Test func addingABigGradientIsElementWise() {
  let a = randomTensor([3, 70_001], seed: 3)
  let b = randomTensor([3, 70_001], seed: 4)
  var sum = a
  sum.add(b)
  #expect(sum.scalars == zip(a.scalars, b.scalars).map { $0 + $1 })
}
