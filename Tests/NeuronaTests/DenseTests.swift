import Neurona
import NeuronaTestSupport
import Testing

@Test func denseComputesWeightedSumPlusBias() {
  // y = x·Wᵀ + b by hand: x = [1, 2], W = [[1, 0], [2, -1], [0.5, 0.5]], b = [0, 1, -1].
  let dense = Dense(
    weight: Tensor(shape: [3, 2], scalars: [1, 0, 2, -1, 0.5, 0.5]),
    bias: Tensor(shape: [3], scalars: [0, 1, -1]))
  let y = dense(Tensor(shape: [1, 2], scalars: [1, 2]))
  #expect(y == Tensor(shape: [1, 3], scalars: [1, 1, 0.5]))
}

@Test func denseGradientsMatchFiniteDifferences() {
  var generator = SplitMix64(seed: 1)
  let dense = Dense(5, 3, initializer: .glorotUniform, using: &generator)
  dense.bias.value = randomTensor([3], seed: 3)
  #expect(checkGradients(of: dense, input: randomTensor([4, 5])).isEmpty)
}

@Test func denseNamesItsParametersLikePyTorch() {
  var generator = SplitMix64(seed: 1)
  let dense = Dense(4, 2, using: &generator)
  #expect(dense.namedParameters.map(\.name) == ["weight", "bias"])
  #expect(dense.weight.value.shape == [2, 4])
  #expect(dense.parameterCount == 10)
}

@Test func sequentialMLPGradientsMatchFiniteDifferences() {
  var generator = SplitMix64(seed: 2)
  let model = Sequential([
    Dense(3, 4, initializer: .glorotUniform, using: &generator), Tanh(),
    Dense(4, 4, using: &generator), Sigmoid(),
    Dense(4, 2, using: &generator),
  ])
  #expect(
    model.namedParameters.map(\.name) == [
      "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias",
    ])
  #expect(checkGradients(of: model, input: randomTensor([3, 3])).isEmpty)
}

@Test func flattenKeepsTheBatchAndRestoresTheShapeOnBackward() {
  let flatten = Flatten()
  let x = randomTensor([2, 3, 4, 5])
  let y = flatten.forward(x, mode: .training)
  #expect(y.shape == [2, 60])
  #expect(flatten.backward(y).shape == [2, 3, 4, 5])
  #expect(checkGradients(of: flatten, input: randomTensor([2, 2, 3])).isEmpty)
}
