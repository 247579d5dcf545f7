// TrainingRun under faults: a loss that turns NaN in a later epoch stops the run with
// DivergenceError naming epoch and step, and the last good model and checkpoint stay on disk
// (resuming from them works); checkpoints carry the Dropout generators' states.
import Foundation
import Neurona
import NeuronaTestSupport
import NeuronaVision
import Testing

/// Two separable classes; from batch number `poisonFrom` on, the inputs are NaN.
private final class PoisonedSource: BatchSource {
  let data: TensorDataset
  let poisonFrom: Int
  var served = 0

  init(poisonFrom: Int) {
    var generator = SplitMix64(seed: 1)
    let inputs = (0..<64).flatMap { i in
      (0..<4).map { _ in generator.nextUnitFloat() + Float(i % 2) }
    }
    data = TensorDataset(
      inputs: Tensor(shape: [16, 4], scalars: Array(inputs.prefix(64))),
      targets: Tensor(shape: [16], scalars: (0..<16).map { Float($0 % 2) }))
    self.poisonFrom = poisonFrom
  }

  var count: Int { data.count }

  func batch(_ indices: [Int]) -> (input: Tensor, target: Tensor) {
    served += 1
    var (input, target) = data.batch(indices)
    if served >= poisonFrom { input = Tensor(repeating: .nan, shape: input.shape) }
    return (input, target)
  }
}

private func smallNetwork() -> Sequential {
  var generator = SplitMix64(seed: 3)
  return Sequential(named: [
    ("fc1", Dense(4, 8, using: &generator)), ("relu", ReLU()),
    ("drop", Dropout(rate: 0.5, seed: 9)),
    ("fc2", Dense(8, 2, using: &generator)),
  ])
}

@Test func divergenceInALaterEpochKeepsTheLastGoodModelAndCheckpoint() throws {
  let folder = try makeTemporaryFolder("diverge")
  let output = "\(folder)/m.safetensors"
  let options = TrainingOptions(epochs: 4, batchSize: 4, learningRate: 0.01, outputPath: output)
  let model = smallNetwork()
  let run = TrainingRun(model: model, loss: SoftmaxCrossEntropy(), options: options, metadata: [:])
  // 4 batches per epoch: epochs 1 and 2 are good, the 2nd batch of epoch 3 is NaN.
  let source = PoisonedSource(poisonFrom: 10)
  let error = #expect(throws: DivergenceError.self) {
    try run.run(source, trainIndices: Array(0..<16), score: { _ in nil }, log: { _ in })
  }
  #expect(error?.epoch == 3 && error?.step == 2)
  #expect(error?.description.contains("checkpoint of epoch 2") == true)
  let saved = try ModelFile.read(output)
  #expect(saved.tensors["fc1.weight"]?.scalars.allSatisfy(\.isFinite) == true)
  let checkpoint = try Checkpoint.load(
    from: options.checkpointPath, model: smallNetwork(), optimizer: Adam(learningRate: 0.01))
  #expect(checkpoint.epoch == 2)
  // Dropout's generator state was saved under the layer's name.
  #expect(checkpoint.ownedGenerators.keys.contains("model.drop"))

  // Resuming from the kept checkpoint with good data finishes the run.
  var resumed = options
  resumed.resume = true
  let again = TrainingRun(
    model: smallNetwork(), loss: SoftmaxCrossEntropy(), options: resumed, metadata: [:])
  let progress = try again.run(
    PoisonedSource(poisonFrom: .max), trainIndices: Array(0..<16), score: { _ in nil },
    log: { _ in })
  #expect(progress.epoch == 4)
  #expect(!FileManager.default.fileExists(atPath: options.checkpointPath))
}

@Test func generatorStatesRoundTripThroughSequential() {
  let model = smallNetwork()
  _ = model.forward(Tensor(repeating: 1, shape: [2, 4]), mode: .training)
  let states = model.generatorStates
  #expect(Array(states.keys) == ["drop"])
  let other = smallNetwork()
  #expect(other.generatorStates != states)
  other.restoreGeneratorStates(states)
  #expect(other.generatorStates == states)
  let input = Tensor(repeating: 1, shape: [3, 4])
  #expect(model.forward(input, mode: .training) == other.forward(input, mode: .training))
}
