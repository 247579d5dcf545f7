// The convolutional layers composed into networks: FashionNet's shapes flow end to end, and a
// tiny conv net learns (overfits a small random batch with Adam).
import Neurona
import NeuronaTestSupport
import Testing

/// FashionNet without dropout (Models/fashionnet.md): 1×28×28 → 10 logits.
private func fashionNet(using generator: inout some RandomNumberGenerator) -> Sequential {
  Sequential([
    Conv2D(1, 32, kernelSize: 3, padding: 1, using: &generator), ReLU(), MaxPool2D(kernelSize: 2),
    Conv2D(32, 64, kernelSize: 3, padding: 1, using: &generator), ReLU(), MaxPool2D(kernelSize: 2),
    Flatten(), Dense(3136, 128, using: &generator), ReLU(), Dense(128, 10, using: &generator),
  ])
}

@Test func fashionNetShapesCompose() {
  var generator = SplitMix64(seed: 1)
  let model = fashionNet(using: &generator)
  let input = randomTensor([3, 1, 28, 28], low: 0, high: 1)
  let output = model.forward(input, mode: .training)
  #expect(output.shape == [3, 10])
  #expect(output.isFinite)
  #expect(model.backward(Tensor(repeating: 1, shape: [3, 10])).shape == [3, 1, 28, 28])
  // 320 + 18 496 + 401 536 + 1 290, the count PyTorch reports for the same model.
  #expect(model.parameterCount == 421_642)
  #expect(
    model.namedParameters.map(\.name).prefix(4) == ["0.weight", "0.bias", "3.weight", "3.bias"])
}

@Test func tinyConvNetOverfitsASmallBatch() {
  var generator = SplitMix64(seed: 2)
  let model = Sequential([
    Conv2D(1, 8, kernelSize: 3, padding: 1, bias: false, using: &generator), BatchNorm2D(8), ReLU(),
    MaxPool2D(kernelSize: 2),
    Conv2D(8, 16, kernelSize: 3, padding: .same, using: &generator), ReLU(),
    Upsample(scale: 2, method: .bilinear), AvgPool2D(kernelSize: 2),
    GlobalAveragePool(), Dense(16, 4, using: &generator),
  ])
  let input = randomTensor([16, 1, 8, 8], seed: 3)
  let labels = Tensor(shape: [16], scalars: (0..<16).map { Float($0 % 4) })
  let loss = SoftmaxCrossEntropy()
  let optimizer = Adam(learningRate: 1e-2)
  var losses: [Float] = []
  for _ in 0..<150 {
    model.zeroGradients()
    let result = loss.evaluate(model.forward(input, mode: .training), labels)
    losses.append(result.value)
    _ = model.backward(result.gradient)
    optimizer.step(model.parameters)
  }
  // Random labels on random images: only memorisation lowers the loss from log 4 ≈ 1.39.
  #expect(losses[0] > 1.2)
  #expect(
    losses.suffix(5).allSatisfy { $0 < 0.3 * losses[0] },
    "losses \(losses.first!) → \(losses.last!)")
  let predictions = model(input).argmaxRows()
  #expect(zip(predictions, labels.scalars).filter { $0 == Int($1) }.count >= 14)
}
