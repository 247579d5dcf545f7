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

  @OptionGroup var compute: ComputeOptions

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

  @Option(
    help:
      "Start from this trained classifier (a file, or a shipped model such as imagenet): its network with a new last layer for DATA's classes (transfer learning). Its input format is kept; --arch, --size, --width, --depth and --dropout do not apply."
  )
  var from: String?

  @Flag(
    name: .customLong("freeze-backbone"),
    help:
      "With --from: train only the new last layer, on features the pretrained network computes once per picture (fast)."
  )
  var freezeBackbone = false

  @Option(
    name: .customLong("backbone-lr-scale"),
    help:
      "With --from and without --freeze-backbone: the pretrained layers' learning rate as a fraction of --lr."
  )
  var backboneLearningRateScale: Float = 0.1

  func validate() throws {
    guard dropout >= 0, dropout < 1 else { throw ValidationError("--dropout must be in [0, 1)") }
    guard size >= 4, size <= 1024 else { throw ValidationError("--size must be in 4…1024") }
    guard from != nil || !freezeBackbone else {
      throw ValidationError("--freeze-backbone needs --from (the pretrained model)")
    }
    guard backboneLearningRateScale >= 0, backboneLearningRateScale.isFinite else {
      throw ValidationError("--backbone-lr-scale must not be negative")
    }
  }

  func run() throws {
    Terminal.keepsLines = true
    compute.apply()
    let group = try joinTrainingGroup(threads: compute.threads)
    try reportingErrors(of: group) { try train(group: group) }
  }

  /// The run, as one rank of `group` or alone.
  private func train(group: ProcessGroup?) throws {
    // Rank 0 alone writes: only its --output matters (other nodes may not have the folder).
    if (group?.rank ?? 0) == 0 { try training.checkOutput() }
    if let from { return try transfer(from: from, group: group) }
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
    run.group = group
    try train(run, on: data.examples, split: split)
  }

  /// Transfer learning from the classifier `from` (TransferLearning.swift).
  private func transfer(from: String, group: ProcessGroup?) throws {
    let base = try Classifier.load(try ModelLocator.resolve(from))
    let classNames =
      FashionMNIST.isDataset(data)
      ? FashionMNIST.classNames : try ImageFolder(root: data).classNames
    let setup = try base.transferred(to: classNames, seed: training.seed)
    var metadata = setup.classifier.description.metadata
    metadata["training_command"] = TrainingArguments.commandLine
    metadata["transferred_from"] = (from as NSString).lastPathComponent
    let options = training.options(gradientClipNorm: clipNorm)
    let examples: TensorDataset
    let run: TrainingRun
    if freezeBackbone {
      var bar = ProgressBar(title: "features")
      let features = try ClassificationData.features(
        data, split: split, classifier: setup.classifier
      ) { bar.update($0, of: $1, note: "") }
      bar.finish()
      for warning in features.warnings { Terminal.warn(warning) }
      reportBalance(features)
      examples = features.examples
      run = TrainingRun(
        model: setup.head, loss: SoftmaxCrossEntropy(), options: options, metadata: metadata,
        savedModel: setup.classifier.network)
    } else {
      for parameter in setup.backbone { parameter.learningRateScale = backboneLearningRateScale }
      let (loaded, _) = try ClassificationData.load(
        data, split: split, description: setup.classifier.description)
      for warning in loaded.warnings { Terminal.warn(warning) }
      reportBalance(loaded)
      examples = loaded.examples
      run = TrainingRun(
        model: setup.classifier.network, loss: SoftmaxCrossEntropy(), options: options,
        metadata: metadata)
    }
    Terminal.warn(
      "fine-tuning \(from) for \(classNames.count) classes: "
        + (freezeBackbone
          ? "\(setup.head.parameterCount) parameters of the new last layer (backbone frozen)"
          : "all \(setup.classifier.network.parameterCount) parameters (backbone at "
            + "\(backboneLearningRateScale)× the learning rate)"))
    var generator = SplitMix64(seed: training.seed &+ 0x5EED)
    run.group = group
    try train(
      run, on: examples,
      split: trainValidationSplit(
        count: examples.count, validationFraction: training.validationSplit, using: &generator))
  }

  /// Runs the epochs, scoring each by validation accuracy, and says where the model went.
  private func train(
    _ run: TrainingRun, on examples: TensorDataset, split: (train: [Int], validation: [Int])
  ) throws {
    var bar = ProgressBar(title: "epoch")
    var runWarnings: [String] = []
    let trainer = run.trainer
    let progress = try run.run(
      examples, trainIndices: split.train,
      score: { _ in
        guard !split.validation.isEmpty else { return nil }
        let accuracy = trainer.evaluate(examples, indices: split.validation).accuracy ?? 0
        return (accuracy, String(format: "validation accuracy %.4f", accuracy))
      },
      log: {
        bar.finish()
        print($0)
        fflush(stdout)
        if $0.hasPrefix("warning") { runWarnings.append($0) }
      },
      onStep: { step, steps, loss in
        bar.update(step, of: steps, note: String(format: "loss %.4f", loss))
      })
    print("best model (epoch \(progress.bestEpoch)) written to \(training.output)")
    if (run.group?.rank ?? 0) == 0 {
      training.writeReport(
        progress: progress, parameterCount: run.savedModel.parameterCount,
        scoreName: "accuracy", runWarnings: runWarnings)
    }
    run.group?.finish()
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
