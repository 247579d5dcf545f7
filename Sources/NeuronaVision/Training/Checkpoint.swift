// A training checkpoint: the model's parameters, the optimiser's memory and where the run
// stood (epoch, shuffling generator, the generators of Dropout layers and of the data
// sampler, best score), in one safetensors file written atomically, so a run killed at any
// moment resumes from its last finished epoch and ends as an uninterrupted run would.
import Neurona

/// Where a run stood at the end of an epoch.
public struct TrainingProgress: Sendable {
  /// The last finished epoch (1-based; 0 before the first).
  public var epoch: Int
  /// The state of the shuffling generator after that epoch.
  public var generatorState: UInt64
  /// The best validation score so far and its epoch.
  public var bestScore: Double
  public var bestEpoch: Int
  /// One line per finished epoch (for the model card).
  public var history: [String]
  /// The figures behind `history`: the learning curves.
  public var curves: [EpochFigures] = []
  /// The states of the generators the model and the data source own (`GeneratorOwner`),
  /// under "model.NAME" and "data.NAME".
  public var ownedGenerators: [String: UInt64] = [:]
}

/// Saves and restores checkpoints.
public enum Checkpoint {
  private static let optimizerPrefix = "optimizer."
  private static let generatorPrefix = "checkpoint_generator."

  /// Writes model, optimiser state and progress to `path` atomically.
  public static func save(
    model: Layer, optimizer: Optimizer, progress: TrainingProgress,
    metadata: [String: String], to path: String
  ) throws {
    var file = ModelFile.contents(of: model, metadata: metadata)
    for (name, tensor) in optimizer.state(of: model.namedParameters) {
      file.tensors[optimizerPrefix + name] = tensor
    }
    file.metadata["checkpoint_epoch"] = String(progress.epoch)
    file.metadata["checkpoint_generator"] = String(progress.generatorState)
    file.metadata["checkpoint_best_score"] = "\(progress.bestScore)"
    file.metadata["checkpoint_best_epoch"] = String(progress.bestEpoch)
    file.metadata["checkpoint_history"] = progress.history.joined(separator: "\n")
    file.metadata["checkpoint_curves"] = LearningCurves.csv(progress.curves)
    for (name, state) in progress.ownedGenerators {
      file.metadata[generatorPrefix + name] = String(state)
    }
    try file.write(to: path)
  }

  /// Loads a checkpoint into `model` and `optimizer` and returns where the run stood.
  public static func load(from path: String, model: Layer, optimizer: Optimizer) throws
    -> TrainingProgress
  {
    let file = try ModelFile.read(path)
    let modelFile = SafeTensors(
      tensors: file.tensors.filter { !$0.key.hasPrefix(optimizerPrefix) }, metadata: file.metadata)
    try ModelFile.load(modelFile, into: model)
    let optimizerState = Dictionary(
      uniqueKeysWithValues: file.tensors.filter { $0.key.hasPrefix(optimizerPrefix) }
        .map { (String($0.key.dropFirst(optimizerPrefix.count)), $0.value) })
    optimizer.restore(optimizerState, of: model.namedParameters)
    guard let epoch = Int(file.metadata["checkpoint_epoch"] ?? ""),
      let state = UInt64(file.metadata["checkpoint_generator"] ?? ""),
      let best = Double(file.metadata["checkpoint_best_score"] ?? ""),
      let bestEpoch = Int(file.metadata["checkpoint_best_epoch"] ?? "")
    else { throw ModelFileError("\(path): not a training checkpoint") }
    let history = (file.metadata["checkpoint_history"] ?? "").split(separator: "\n").map(
      String.init)
    var owned: [String: UInt64] = [:]
    for (key, value) in file.metadata where key.hasPrefix(generatorPrefix) {
      guard let state = UInt64(value) else {
        throw ModelFileError("\(path): corrupt checkpoint (\(key) is not a generator state)")
      }
      owned[String(key.dropFirst(generatorPrefix.count))] = state
    }
    return TrainingProgress(
      epoch: epoch, generatorState: state, bestScore: best, bestEpoch: bestEpoch, history: history,
      curves: LearningCurves.parse(file.metadata["checkpoint_curves"] ?? ""),
      ownedGenerators: owned)
  }
}
