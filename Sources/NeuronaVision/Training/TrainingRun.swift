// One training run as the CLIs drive it: epochs of mini-batch training, a validation score
// after each, the best model kept at the output path, a checkpoint after every epoch, and
// resumption from that checkpoint. Works for any model and loss; the caller supplies the
// validation score (accuracy for classifiers, IoU for segmenters). Each epoch's figures go
// into the learning curves (written into the model file as `training_curves`), and a run
// whose validation falls while training improves is warned of overfitting. Under a
// ProcessGroup (mpirun) every process trains its part of each batch and keeps the same model;
// rank 0 alone writes the model, the checkpoints and the log lines.
import Foundation
import Neurona

/// Trains a model epoch by epoch with checkpoints.
public final class TrainingRun {
  public let model: Layer
  public let trainer: Trainer
  public let options: TrainingOptions
  /// Metadata written with the model (its description, the command that trained it).
  public var metadata: [String: String]
  /// What is written to the output path: `model`, or a network that contains it (a classifier
  /// whose head alone trains on features its frozen backbone computed once:
  /// TransferLearning.swift). Checkpoints hold `model`, which is all that changes.
  public let savedModel: Layer
  /// The processes training together (nil: this one alone); only rank 0 writes and logs.
  public var group: ProcessGroup? {
    get { trainer.group }
    set { trainer.group = newValue }
  }
  /// Whether this process writes files and logs (rank 0, or alone).
  private var writes: Bool { (group?.rank ?? 0) == 0 }

  public init(
    model: Layer, loss: Loss, options: TrainingOptions, metadata: [String: String],
    savedModel: Layer? = nil
  ) {
    self.model = model
    self.savedModel = savedModel ?? model
    self.options = options
    self.metadata = metadata
    let optimizer = options.optimizer.make(
      learningRate: options.learningRate, gradientClipNorm: options.gradientClipNorm)
    trainer = Trainer(model: model, loss: loss, optimizer: optimizer, l2: options.l2)
  }

  /// Runs the remaining epochs.
  ///
  /// - Parameters:
  ///   - source: the training examples, batch by batch.
  ///   - trainIndices: which of the source's examples to train on.
  ///   - score: the validation score of the model after an epoch (higher is better) and a
  ///     short text for the log; nil when there is no validation data (then the training
  ///     loss decides which model is best).
  ///   - report: receives one line per epoch (rank 0's alone under a process group).
  ///   - onStep: progress within an epoch (for a progress bar).
  /// - Returns: where the run ended. With `options.resume` and no checkpoint (killed before
  ///   one was written), the run starts over, as the interrupted run did.
  /// - Throws: `DivergenceError` (the best model so far stays at the output path and the
  ///   last checkpoint beside it; the message says so),
  ///   `ModelFileError` when files cannot be read or written.
  @discardableResult
  public func run(
    _ source: BatchSource, trainIndices: [Int],
    score: (EpochReport) -> (value: Double, text: String)?,
    log report: (String) -> Void,
    onStep: (_ step: Int, _ steps: Int, _ loss: Float) -> Void = { _, _, _ in }
  ) throws -> TrainingProgress {
    // A run killed while writing (this one's predecessor) may have left hidden temporaries.
    if writes {
      ModelFile.removeStaleTemporaries(of: options.outputPath)
      ModelFile.removeStaleTemporaries(of: options.checkpointPath)
    }
    let writes = self.writes
    func log(_ line: String) { if writes { report(line) } }
    var progress = TrainingProgress(
      epoch: 0, generatorState: options.seed, bestScore: -.infinity, bestEpoch: 0, history: [])
    if options.resume && !FileManager.default.fileExists(atPath: options.checkpointPath) {
      // Killed before the first epoch ended: there is nothing to resume, so start over
      // (which is what the resumed run would have done).
      log("no checkpoint at \(options.checkpointPath): starting from the first epoch")
    } else if options.resume {
      progress = try Checkpoint.load(
        from: options.checkpointPath, model: model, optimizer: trainer.optimizer)
      restoreGeneratorStates(
        progress.ownedGenerators.strippingPrefix(TrainingRun.modelGenerators), of: model)
      restoreGeneratorStates(
        progress.ownedGenerators.strippingPrefix(TrainingRun.dataGenerators), of: source)
      log("resuming after epoch \(progress.epoch) (best so far: epoch \(progress.bestEpoch))")
    }
    while progress.epoch < options.epochs {
      let communicated = group?.collectiveSeconds ?? 0
      var generator = SplitMix64(seed: progress.generatorState)
      let epoch = progress.epoch + 1
      let report: EpochReport
      trainer.optimizer.learningRate = options.schedule.rate(
        base: options.learningRate, epoch: epoch, of: options.epochs)
      do {
        report = try trainer.trainEpoch(
          epoch, source, trainIndices: trainIndices, batchSize: options.batchSize,
          using: &generator, onStep: onStep)
      } catch var error as DivergenceError {
        error.kept = keptFiles(progress)
        throw error
      }
      let validation = score(report)
      let value = validation?.value ?? -report.trainLoss
      var line = String(
        format: "epoch %d/%d: loss %.4f", epoch, options.epochs, report.trainLoss)
      if options.l2 > 0 { line += String(format: " (+L2 %.4f)", report.l2Penalty) }
      if let accuracy = report.trainAccuracy {
        line += String(format: ", train accuracy %.4f", accuracy)
      }
      if let text = validation?.text { line += ", \(text)" }
      line += String(format: ", %.1f s", report.seconds)
      if let group, group.size > 1 {
        // Rank 0's time in collectives: the gradient sums and waiting for the slowest rank.
        let seconds = group.collectiveSeconds - communicated
        line += String(
          format: " (allreduce %.2f s, %.0f %%)", seconds,
          100 * seconds / max(report.seconds, 1e-9))
      }
      progress.epoch = epoch
      progress.generatorState = generator.state
      progress.ownedGenerators = [:]
      for (name, state) in generatorStates(of: model) {
        progress.ownedGenerators[TrainingRun.modelGenerators + name] = state
      }
      for (name, state) in generatorStates(of: source) {
        progress.ownedGenerators[TrainingRun.dataGenerators + name] = state
      }
      progress.history.append(line)
      progress.curves.append(
        EpochFigures(
          epoch: epoch, trainLoss: report.trainLoss, trainAccuracy: report.trainAccuracy,
          validationScore: validation?.value, seconds: report.seconds))
      if value > progress.bestScore {
        progress.bestScore = value
        progress.bestEpoch = epoch
        var saved = metadata
        saved["training_curves"] = LearningCurves.csv(progress.curves)
        if writes { try ModelFile.save(savedModel, metadata: saved, to: options.outputPath) }
        line += " (best, saved)"
      }
      log(line)
      if let warning = LearningCurves.overfittingWarning(progress.curves) { log(warning) }
      if writes {
        try Checkpoint.save(
          model: model, optimizer: trainer.optimizer, progress: progress, metadata: metadata,
          to: options.checkpointPath)
      }
    }
    guard writes else { return progress }
    try? FileManager.default.removeItem(atPath: options.checkpointPath)
    // The best model holds the curves up to its epoch; give it the whole run's.
    if var best = try? ModelFile.read(options.outputPath) {
      best.metadata["training_curves"] = LearningCurves.csv(progress.curves)
      try best.write(to: options.outputPath)
    }
    log("learning curves:\n" + LearningCurves.csv(progress.curves))
    return progress
  }

  /// What a run stopped after `progress` leaves behind, in words.
  private func keptFiles(_ progress: TrainingProgress) -> String {
    guard progress.epoch > 0 else { return "no epoch finished, so no model was written" }
    return "the best model so far (epoch \(progress.bestEpoch)) is at \(options.outputPath), the "
      + "checkpoint of epoch \(progress.epoch) at \(options.checkpointPath)"
  }

  /// Name prefixes of the model's and the data source's generators in a checkpoint.
  static let modelGenerators = "model.", dataGenerators = "data."
}

extension Dictionary where Key == String {
  /// The entries whose key starts with `prefix`, with it removed.
  fileprivate func strippingPrefix(_ prefix: String) -> [String: Value] {
    var result: [String: Value] = [:]
    for (key, value) in self where key.hasPrefix(prefix) {
      result[String(key.dropFirst(prefix.count))] = value
    }
    return result
  }
}
