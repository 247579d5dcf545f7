// `neurona-examples mlp`: the course's MLP on real data. Flatten → Dense(784→256) → ReLU →
// Dropout → Dense(256→128) → ReLU → Dropout → Dense(128→10), softmax cross-entropy, Adam and
// L2, trained on the Fashion-MNIST training set and scored on its test set.
import Neurona
import NeuronaVision

func runMLP(_ arguments: [String]) throws {
  let epochs: Int = try option("epochs", in: arguments, default: 15)
  let batchSize: Int = try option("batch-size", in: arguments, default: 128)
  let learningRate: Float = try option("lr", in: arguments, default: 1e-3)
  let dropout: Float = try option("dropout", in: arguments, default: 0.2)
  // λ of λ‖w‖²; its gradient 2λw equals PyTorch's weight_decay=1e-4 when λ = 5e-5.
  let l2: Float = try option("l2", in: arguments, default: 5e-5)
  let seed: UInt64 = try option("seed", in: arguments, default: 0)
  let directory: String = try option("data", in: arguments, default: FashionMNIST.defaultDirectory)
  guard FashionMNIST.isDataset(directory) else {
    throw ExampleError(
      "\(directory): Fashion-MNIST not found (install it: scripts/install-deps.sh --datasets)")
  }
  // Pixels in [0, 1], then standardised with the training set's mean and std.
  let normalise = { (images: Tensor) in images.map { ($0 - 0.2860) / 0.3530 } }
  let train = try FashionMNIST.load(.train, directory: directory)
  let test = try FashionMNIST.load(.test, directory: directory)
  let trainSet = TensorDataset(inputs: normalise(train.images), targets: train.labels)
  let testSet = TensorDataset(inputs: normalise(test.images), targets: test.labels)

  var generator = SplitMix64(seed: seed)
  let model = Sequential([
    Flatten(),
    Dense(784, 256, using: &generator), ReLU(), Dropout(rate: dropout, seed: seed &+ 1),
    Dense(256, 128, using: &generator), ReLU(), Dropout(rate: dropout, seed: seed &+ 2),
    Dense(128, 10, initializer: .glorotUniform, using: &generator),
  ])
  print(
    "MLP 784-256-128-10: \(model.parameterCount) parameters, \(epochs) epochs, batch \(batchSize)")
  let trainer = Trainer(
    model: model, loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: learningRate), l2: l2)
  let started = Clock.now
  try trainer.fit(
    trainSet, trainIndices: Array(0..<trainSet.count), epochs: epochs, batchSize: batchSize,
    using: &generator
  ) { report in
    print(
      "epoch \(report.epoch): loss \(String(format: "%.4f", report.trainLoss)) "
        + "(+ L2 \(String(format: "%.4f", report.l2Penalty))), train accuracy "
        + String(format: "%.4f", report.trainAccuracy ?? 0)
        + ", \(String(format: "%.1f", report.seconds)) s")
    return true
  }
  let seconds = Clock.secondsSince(started)
  let accuracy = trainer.evaluate(testSet, indices: Array(0..<testSet.count)).accuracy ?? 0
  print("training time: \(String(format: "%.1f", seconds)) s")
  print("test accuracy: \(String(format: "%.4f", accuracy))")
}
