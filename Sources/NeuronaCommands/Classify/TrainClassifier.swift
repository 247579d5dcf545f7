// `classify train DATA`: train a classifier on an ImageFolder or on Fashion-MNIST.
import ArgumentParser
import Foundation
import Neurona
import NeuronaVision

extension ClassifierArchitecture: ExpressibleByArgument {}
extension FashionMNIST.Split: ExpressibleByArgument {}

struct TrainClassifier: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a classifier on an ImageFolder (DATA/<class>/*.png|jpg) or Fashion-MNIST.")

  @Argument(help: "An ImageFolder directory, or the Fashion-MNIST folder (its IDX files).")
  var data: String

  @OptionGroup var training: TrainingArguments

  @Option(help: "cnn (FashionNet-style convolutions), mlp or lstm (image rows as a sequence).")
  var arch: ClassifierArchitecture = .cnn

  @Option(help: "Dropout rate before the last layer.")
  var dropout: Float = 0.5

  @Option(help: "Channels of the first convolution block (cnn).")
  var width: Int?

  @Option(help: "Convolution blocks (cnn).")
  var depth: Int?

  @Option(help: "Input size (square) for ImageFolder data; Fashion-MNIST is 28.")
  var size = 64

  @Option(help: "Which Fashion-MNIST split to train on.")
  var split: FashionMNIST.Split = .train

  @Option(name: .customLong("clip-norm"), help: "Clip the global gradient norm to this (RNNs).")
  var clipNorm: Float?

  func validate() throws {
    guard dropout >= 0, dropout < 1 else { throw ValidationError("--dropout must be in [0, 1)") }
    guard size >= 4, size <= 1024 else { throw ValidationError("--size must be in 4…1024") }
  }

  func run() throws {
    try training.checkOutput()
    let (data, dataDescription) = try ClassificationData.load(
      data, split: split, description: nil, defaultSize: size)
    for warning in data.warnings { Terminal.warn(warning) }
    var description = dataDescription
    description.architecture = arch
    description.dropout = dropout
    if let width { description.baseWidth = width }
    if let depth { description.depth = depth }
    if arch == .lstm, description.channels != 1 {
      throw ValidationError("--arch lstm takes grey images (one channel)")
    }
    reportBalance(data)
    let classifier = try Classifier(description: description, seed: training.seed)
    var generator = SplitMix64(seed: training.seed &+ 0x5EED)
    let split = trainValidationSplit(
      count: data.examples.count, validationFraction: training.validationSplit, using: &generator)
    Terminal.warn(
      "training \(arch.rawValue) (\(classifier.network.parameterCount) parameters) on "
        + "\(split.train.count) images, validating on \(split.validation.count)")
    var metadata = description.metadata
    metadata["training_command"] = TrainingArguments.commandLine
    let run = TrainingRun(
      model: classifier.network, loss: SoftmaxCrossEntropy(),
      options: training.options(gradientClipNorm: clipNorm), metadata: metadata)
    var bar = ProgressBar(title: "epoch")
    let trainer = run.trainer
    let progress = try run.run(
      data.examples, trainIndices: split.train,
      score: { _ in
        guard !split.validation.isEmpty else { return nil }
        let accuracy = trainer.evaluate(data.examples, indices: split.validation).accuracy ?? 0
        return (accuracy, String(format: "validation accuracy %.4f", accuracy))
      },
      log: {
        bar.finish()
        print($0)
        fflush(stdout)
      },
      onStep: { step, steps, loss in
        bar.update(step, of: steps, note: String(format: "loss %.4f", loss))
      })
    print("best model (epoch \(progress.bestEpoch)) written to \(training.output)")
  }

  /// Prints the class balance and warns when one class has over 3× another's examples.
  private func reportBalance(_ data: ClassificationData) {
    let counts = data.classCounts
    let summary = zip(data.classNames, counts).map { "\($0) \($1)" }.joined(separator: ", ")
    Terminal.warn("classes: \(summary)")
    if let most = counts.max(), let least = counts.min(), most > 3 * max(least, 1) {
      Terminal.warn("warning: unbalanced classes (largest \(most) vs smallest \(least) examples)")
    }
  }
}
