// The options every `train` subcommand shares (`classify train`, `segment train`).
import ArgumentParser
import Foundation
import Neurona
import NeuronaVision

extension OptimizerKind: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}

/// Shared training flags, pulled in with `@OptionGroup`.
struct TrainingArguments: ParsableArguments {
  @Option(help: "Passes over the training data.")
  var epochs = 10

  @Option(name: .customLong("batch-size"), help: "Examples per gradient step.")
  var batchSize = 64

  @Option(help: "Learning rate.")
  var lr: Float = 1e-3

  @Option(help: "sgd, momentum or adam.")
  var optimizer: OptimizerKind = .adam

  @Option(
    name: .customLong("lr-schedule"),
    help: "constant, or cosine (from --lr down to near 0 by the last epoch).")
  var lrSchedule: LearningRateSchedule = .constant

  @Option(help: "λ of the L2 penalty λ‖w‖² on weights (0: none).")
  var l2: Float = 0

  @Option(help: "Seed of every random choice (initial weights, shuffling, dropout, augmentation).")
  var seed: UInt64 = 0

  @Option(
    name: .customLong("validation-split"), help: "Fraction of the data held out for validation.")
  var validationSplit = 0.1

  @Option(help: "Where the best model is written (its checkpoint goes beside it).")
  var output: String

  @Flag(help: "Continue an interrupted run from its checkpoint.")
  var resume = false

  @Flag(help: "Replace an existing output file.")
  var force = false

  func validate() throws {
    guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
    guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
    guard l2 >= 0 else { throw ValidationError("--l2 must not be negative") }
    guard validationSplit >= 0, validationSplit < 1 else {
      throw ValidationError("--validation-split must be in [0, 1)")
    }
  }

  /// Refuses to overwrite an existing model unless `--force` or `--resume`.
  func checkOutput() throws {
    if !force, !resume, FileManager.default.fileExists(atPath: output) {
      throw VisionError("\(output): already exists (use --force to replace it)")
    }
    let folder = (output as NSString).deletingLastPathComponent
    if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
      throw VisionError("\(folder): no such directory for --output")
    }
  }

  func options(gradientClipNorm: Float? = nil) -> TrainingOptions {
    TrainingOptions(
      epochs: epochs, batchSize: batchSize, learningRate: lr, optimizer: optimizer,
      schedule: lrSchedule, l2: l2, seed: seed, gradientClipNorm: gradientClipNorm,
      outputPath: output, resume: resume)
  }

  /// The command line that trained a model, for its metadata and card.
  static var commandLine: String {
    CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
  }
}
