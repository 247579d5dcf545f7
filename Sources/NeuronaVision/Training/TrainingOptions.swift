// The knobs of a training run, shared by `classify train` and `segment train`.
import Neurona

/// Which optimiser a run uses.
public enum OptimizerKind: String, CaseIterable, Sendable {
  case sgd, momentum, adam

  /// A fresh optimiser of this kind.
  public func make(learningRate: Float, gradientClipNorm: Float? = nil) -> Optimizer {
    switch self {
    case .sgd: return SGD(learningRate: learningRate, gradientClipNorm: gradientClipNorm)
    case .momentum:
      return SGD(learningRate: learningRate, momentum: 0.9, gradientClipNorm: gradientClipNorm)
    case .adam: return Adam(learningRate: learningRate, gradientClipNorm: gradientClipNorm)
    }
  }
}

/// Everything a training run needs to know besides the model and the data.
public struct TrainingOptions: Sendable {
  public var epochs: Int
  public var batchSize: Int
  public var learningRate: Float
  public var optimizer: OptimizerKind
  /// How the learning rate changes from epoch to epoch.
  public var schedule: LearningRateSchedule
  /// λ of the L2 penalty λ‖w‖² on weights.
  public var l2: Float
  public var seed: UInt64
  public var gradientClipNorm: Float?
  /// Where the best model goes; the checkpoint is beside it (`<output>.checkpoint`).
  public var outputPath: String
  /// Continue from the checkpoint instead of starting over.
  public var resume: Bool

  public init(
    epochs: Int, batchSize: Int, learningRate: Float, optimizer: OptimizerKind = .adam,
    schedule: LearningRateSchedule = .constant, l2: Float = 0, seed: UInt64 = 0,
    gradientClipNorm: Float? = nil, outputPath: String,
    resume: Bool = false
  ) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.optimizer = optimizer
    self.schedule = schedule
    self.l2 = l2
    self.seed = seed
    self.gradientClipNorm = gradientClipNorm
    self.outputPath = outputPath
    self.resume = resume
  }

  /// The checkpoint file of this run.
  public var checkpointPath: String { outputPath + ".checkpoint" }
}
