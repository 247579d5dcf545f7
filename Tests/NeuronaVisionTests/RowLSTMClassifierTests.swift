// The row-LSTM classifier: PyTorch-compatible names and size, gradients through the reshape,
// the LSTM and the head, and that it learns a pattern that only reading rows in order reveals.
import Neurona
import NeuronaTestSupport
import NeuronaVision
import Testing

@Test func rowLSTMClassifierNamesAndSize() {
  var generator = SplitMix64(seed: 1)
  let model = RowLSTMClassifier(using: &generator)
  #expect(
    model.namedParameters.map(\.name) == [
      "lstm.weight_ih", "lstm.weight_hh", "lstm.bias_ih", "lstm.bias_hh", "fc.weight", "fc.bias",
    ])
  #expect(
    model.namedParameters.map(\.parameter.value.shape) == [
      [512, 28], [512, 128], [512], [512], [10, 128], [10],
    ])
  // The PyTorch reference model's count (bench/learning/RESULTS.md).
  #expect(model.parameterCount == 82_186)
  #expect(model(Tensor(zeros: [3, 1, 28, 28])).shape == [3, 10])
}

@Test func rowLSTMClassifierGradients() {
  var generator = SplitMix64(seed: 2)
  let model = RowLSTMClassifier(rows: 4, columns: 3, hiddenSize: 5, classes: 3, using: &generator)
  let mismatches = checkGradients(of: model, input: randomTensor([2, 1, 4, 3], seed: 21))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
}

@Test func rowLSTMClassifierLearnsRowOrder() throws {
  // 6×6 images with one bright row: class 0 if it is in the top half, 1 if in the bottom.
  // Every image has the same pixels up to row order, so only the sequence tells them apart.
  var generator = SplitMix64(seed: 3)
  func images(_ count: Int) -> (Tensor, Tensor) {
    var pixels = [Float](repeating: 0, count: count * 36)
    var labels = [Float](repeating: 0, count: count)
    for sample in 0..<count {
      let row = Int(generator.next() % 6)
      labels[sample] = row < 3 ? 0 : 1
      for column in 0..<6 { pixels[sample * 36 + row * 6 + column] = 1 }
      for k in 0..<36 { pixels[sample * 36 + k] += 0.1 * generator.nextGaussian() }
    }
    return (
      Tensor(shape: [count, 1, 6, 6], scalars: pixels), Tensor(shape: [count], scalars: labels)
    )
  }
  let model = RowLSTMClassifier(rows: 6, columns: 6, hiddenSize: 8, classes: 2, using: &generator)
  let (trainX, trainY) = images(256)
  let trainer = Trainer(
    model: model, loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: 1e-2))
  try trainer.fit(
    TensorDataset(inputs: trainX, targets: trainY), trainIndices: Array(0..<256), epochs: 15,
    batchSize: 32, using: &generator)
  let (testX, testY) = images(200)
  let test = TensorDataset(inputs: testX, targets: testY)
  let accuracy = trainer.evaluate(test, indices: Array(0..<200)).accuracy ?? 0
  #expect(accuracy >= 0.95, "accuracy \(accuracy)")
}
