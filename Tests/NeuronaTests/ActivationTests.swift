import Neurona
import NeuronaTestSupport
import Testing

@Test func activationsHaveTheirTextbookValues() {
  let x = Tensor(shape: [1, 5], scalars: [-2, -0.5, 0, 0.5, 2])
  #expect(Step()(x).scalars == [0, 0, 1, 1, 1])
  #expect(ReLU()(x).scalars == [0, 0, 0, 0.5, 2])
  // numpy: 1/(1+np.exp(-np.array([-2,-.5,0,.5,2]))) → [0.11920292 0.37754067 0.5 0.62245933 0.88079708]
  #expect(
    isClose(
      Sigmoid()(x).scalars, [0.11920292, 0.37754067, 0.5, 0.62245933, 0.88079708], tolerance: 1e-6))
  // numpy: np.tanh([-2,-.5,0,.5,2]) → [-0.96402758 -0.46211716 0. 0.46211716 0.96402758]
  #expect(
    isClose(
      Tanh()(x).scalars, [-0.96402758, -0.46211716, 0, 0.46211716, 0.96402758], tolerance: 1e-6))
}

@Test func sigmoidDoesNotOverflowOnLargeInputs() {
  let y = Sigmoid()(Tensor(shape: [1, 2], scalars: [-1000, 1000]))
  #expect(y.scalars == [0, 1])
}

@Test func reluDerivativeAtZeroIsZero() {
  let relu = ReLU()
  _ = relu.forward(Tensor(shape: [1, 3], scalars: [-1, 0, 1]), mode: .training)
  #expect(relu.backward(Tensor(repeating: 1, shape: [1, 3])).scalars == [0, 0, 1])
}

@Test func stepHasZeroGradientEverywhereAwayFromTheJump() {
  #expect(checkGradients(of: Step(), input: randomTensorAwayFromZero([3, 4])).isEmpty)
}

@Test func smoothActivationGradientsMatchFiniteDifferences() {
  for layer: Layer in [Sigmoid(), Tanh(), Softmax()] {
    #expect(checkGradients(of: layer, input: randomTensor([3, 5], low: -2, high: 2)).isEmpty)
  }
  #expect(checkGradients(of: ReLU(), input: randomTensorAwayFromZero([3, 5])).isEmpty)
}

@Test func softmaxRowsArePositiveAndSumToOneEvenForHugeLogits() {
  let y = Softmax()(Tensor(shape: [2, 3], scalars: [1000, 1001, 1002, -5, 0, 5]))
  for row in 0..<2 {
    let values = (0..<3).map { y[row, $0] }
    #expect(values.allSatisfy { $0 > 0 })
    #expect(abs(values.reduce(0, +) - 1) < 1e-6)
  }
  // numpy: e=np.exp([0,1,2]); e/e.sum() → [0.09003057 0.24472847 0.66524096]
  #expect(
    isClose([y[0, 0], y[0, 1], y[0, 2]], [0.09003057, 0.24472847, 0.66524096], tolerance: 1e-6))
}

// Above 64K floats ReLU is split into ranges between the workers: nothing may change, the
// odd length included.
@Test func reluOfABigTensorMatchesTheElementwiseDefinition() {
  let x = randomTensor([3, 70_001], seed: 11)
  let dy = randomTensor([3, 70_001], seed: 12)
  let relu = ReLU()
  let y = relu.forward(x, mode: .training)
  #expect(y.scalars == x.scalars.map { $0 > 0 ? $0 : 0 })
  #expect(relu.backward(dy).scalars == zip(x.scalars, dy.scalars).map { $0 > 0 ? $1 : 0 })
}
