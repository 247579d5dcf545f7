import Neurona
import NeuronaTestSupport
import Testing

/// Training with Conv2D → ReLU and BatchNorm2D → ReLU fused (the first rectifies its own
/// output), and ReLU → MaxPool2D and BatchNorm2D → ReLU fused backward, takes exactly the
/// steps the layer-by-layer path takes: the same losses and weights after three steps (to
/// rounding), through every convolution path (Winograd F(4×4) on 16×16 with 16 channels, F(2×2)
/// on 8×8, direct on the 3-channel input, im2col for the 1×1 layer).
@Test func fusedTrainingTakesTheLayerByLayerSteps() {
  func model() -> Sequential {
    var generator = SplitMix64(seed: 5)
    return Sequential([
      Conv2D(3, 16, kernelSize: 3, padding: 1, using: &generator), ReLU(),
      Conv2D(16, 16, kernelSize: 3, padding: 1, using: &generator), ReLU(),
      MaxPool2D(kernelSize: 2, stride: 2),
      Conv2D(16, 8, kernelSize: 3, padding: 1, using: &generator), BatchNorm2D(8), ReLU(),
      Conv2D(8, 4, kernelSize: 1, using: &generator), ReLU(),
      Flatten(), Dense(4 * 8 * 8, 3, using: &generator),
    ])
  }
  let (fused, reference) = (model(), model())
  reference.fusesForTraining = false
  let input = randomTensor([2, 3, 16, 16], seed: 6)
  let target = Tensor(shape: [2], scalars: [0, 2])
  var losses: [[Float]] = [[], []]
  for (index, network) in [fused, reference].enumerated() {
    let trainer = Trainer(
      model: network, loss: SoftmaxCrossEntropy(), optimizer: SGD(learningRate: 0.05))
    for _ in 0..<3 { losses[index].append(trainer.step(input: input, target: target).loss) }
  }
  // The same arithmetic, but not always the same order of sums: when other tests hold the
  // worker pool, a product that would split between the workers runs on one, so the two
  // networks may round differently in the last bits (seen: 3e-7 of a loss).
  for (a, b) in zip(losses[0], losses[1]) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
  for (a, b) in zip(fused.parameters, reference.parameters) {
    #expect(isClose(a.value, b.value, tolerance: 1e-5))
  }
}
