// `segment train`: train a U-Net on image/mask folders.
import ArgumentParser
import Foundation
import Neurona
import NeuronaVision

extension SegmentationTarget: ExpressibleByArgument {}

struct TrainSegmenter: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "Train a segmenter on images/ and masks/ folders.")

  @Option(help: "Folder of training pictures.")
  var images: String

  @Option(
    help:
      "Folder of masks (NAME.png, NAME_mask.png or NAME-mask.png; non-zero = foreground), or of 16-bit instance labels with --target boundary3."
  )
  var masks: String

  @Option(
    help:
      "mask (foreground/background) or boundary3 (background/interior/boundary from instance labels, for segment --instances)."
  )
  var target: SegmentationTarget = .mask

  @Option(
    name: .customLong("boundary-weight"),
    help: "Cross-entropy weight of the boundary class (boundary3).")
  var boundaryWeight: Float = 2

  @OptionGroup var training: TrainingArguments

  @OptionGroup var compute: ComputeOptions

  @Option(
    help: ArgumentHelp(
      "Start from a trained segmenter (a model file, or a name in Models/ such as person) "
        + "instead of a new U-Net: fine-tuning, in that model's architecture and input format."))
  var from: String?

  @Option(help: "Training crop size (a multiple of 2^depth).")
  var size = 128

  @Option(
    name: .customLong("steps-per-epoch"),
    help: "Gradient steps per epoch (default: about 4 crops per picture area).")
  var stepsPerEpoch: Int?

  @Option(
    name: .customLong("val-images"),
    help: "Folder of validation pictures (instead of --validation-split).")
  var valImages: String?

  @Option(name: .customLong("val-masks"), help: "Folder of validation masks.")
  var valMasks: String?

  @Option(help: "Channels of the first U-Net level.")
  var width = 16

  @Option(help: "U-Net levels.")
  var depth = 4

  @Option(name: .customLong("bce-weight"), help: "Weight of binary cross-entropy in the loss.")
  var bceWeight: Float = 1

  @Option(name: .customLong("dice-weight"), help: "Weight of soft Dice in the loss.")
  var diceWeight: Float = 1

  @Flag(
    name: .customLong("no-augment"),
    help: "Train on plain crops (no flips, turns, scaling or colour jitter).")
  var noAugment = false

  func validate() throws {
    guard (1...6).contains(depth), width >= 1 else {
      throw ValidationError("--depth must be 1…6, --width ≥ 1")
    }
    guard size >= 16, size % (1 << depth) == 0 else {
      throw ValidationError("--size must be a multiple of \(1 << depth) (2^depth)")
    }
    guard (valImages == nil) == (valMasks == nil) else {
      throw ValidationError("--val-images and --val-masks go together")
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
    var pairs = try MaskPairs.find(images: images, masks: masks)
    var validationPairs: [(image: String, mask: String)] = []
    if let valImages, let valMasks {
      validationPairs = try MaskPairs.find(images: valImages, masks: valMasks)
    } else if training.validationSplit > 0, pairs.count >= 2 {
      var generator = SplitMix64(seed: training.seed &+ 0x5EED)
      let split = trainValidationSplit(
        count: pairs.count, validationFraction: training.validationSplit, using: &generator)
      validationPairs = split.validation.map { pairs[$0] }
      pairs = split.train.map { pairs[$0] }
    }
    var trainingData = try pairs.map {
      try MaskPairs.load(image: $0.image, mask: $0.mask, target: target)
    }
    let validationData = try validationPairs.map {
      try MaskPairs.load(image: $0.image, mask: $0.mask, target: target)
    }
    var description = SegmenterDescription(
      channels: 3, size: size, layout: .tiled, baseWidth: width, depth: depth, target: target)
    var segmenter = try Segmenter(description: description, seed: training.seed)
    if let from {
      segmenter = try Segmenter.load(try ModelLocator.resolve(from))
      description = segmenter.description
      guard description.target == target else {
        throw ValidationError(
          "--target \(target) differs from the target \(description.target) of \(from)")
      }
      // A model that sees whole pictures resized learns from whole pictures resized.
      if description.layout == .resized {
        trainingData = try trainingData.map {
          try $0.resized(width: description.size, height: description.size)
        }
      }
    }
    let size = from == nil ? size : description.size
    let area = trainingData.reduce(0) { $0 + $1.image.width * $1.image.height }
    let steps = stepsPerEpoch ?? max(1, 4 * area / (size * size) / training.batchSize)
    let sampler = try SegmentationSampler(
      trainingData, description: description, cropSize: size,
      cropsPerEpoch: steps * training.batchSize, augment: !noAugment, seed: training.seed &+ 1)
    Terminal.warn(
      "training \(description.architecture.rawValue) (\(segmenter.network.parameterCount) parameters"
        + (from.map { ", from \($0)" } ?? "") + ") on \(trainingData.count) "
        + "pictures (foreground \(String(format: "%.1f", sampler.foregroundFraction * 100)) %), "
        + "\(steps) steps of \(training.batchSize) crops of \(size)² per epoch, "
        + "validating on \(validationData.count)")
    reportTargets(sampler)
    var metadata = description.metadata
    metadata["training_command"] = TrainingArguments.commandLine
    let loss = target.trainingLoss(
      crossEntropyWeight: bceWeight, diceWeight: diceWeight, boundaryWeight: boundaryWeight)
    let run = TrainingRun(
      model: segmenter.network, loss: loss, options: training.options(), metadata: metadata)
    run.group = group
    var bar = ProgressBar(title: "epoch")
    var runWarnings: [String] = []
    let progress = try run.run(
      sampler, trainIndices: Array(0..<sampler.count),
      score: { _ in
        guard !validationData.isEmpty else { return nil }
        let overlap = validationData.map {
          (try? SegmentationEvaluation.overlap(of: segmenter, on: $0)) ?? MaskOverlap()
        }.reduce(MaskOverlap(), +)
        return (
          overlap.iou, String(format: "validation IoU %.4f, Dice %.4f", overlap.iou, overlap.dice)
        )
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
    if (group?.rank ?? 0) == 0 {
      training.writeReport(
        progress: progress, parameterCount: segmenter.network.parameterCount, scoreName: "IoU",
        runWarnings: runWarnings)
    }
    group?.finish()
  }

  /// Warns when the foreground is so rare (or so common) that a model can score well by
  /// ignoring it; for `boundary3`, also reports the boundary share.
  private func reportTargets(_ sampler: SegmentationSampler) {
    let foreground = sampler.foregroundFraction
    if foreground < 0.02 || foreground > 0.98 {
      Terminal.warn(
        String(
          format: "warning: foreground is %.1f %% of the mask pixels: the masks may be wrong or "
            + "the data unrepresentative (consider --dice-weight, or more pictures with objects)",
          foreground * 100))
    }
    if target == .boundary3 {
      let boundary = sampler.fraction { $0 == Float(SegmentationTarget.boundary) }
      Terminal.warn(
        String(
          format: "boundary3: interior %.1f %%, boundary %.1f %% of pixels",
          (foreground - boundary) * 100, boundary * 100))
    }
  }
}
