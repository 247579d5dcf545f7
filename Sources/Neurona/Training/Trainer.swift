// The training loop: mini-batch gradient descent over a BatchSource. Each step is
// forward → loss → backward → L2 → optimiser; each epoch shuffles with the seeded
// generator and reports loss and accuracy on the training and validation examples.
// With a ProcessGroup of P processes (synchronous data parallelism) each global batch is
// split between them, the gradients summed over them after backward, and every process then
// takes the same optimiser step, so all hold the same model.

/// What one epoch achieved.
public struct EpochReport: Sendable {
  /// 1-based epoch number.
  public var epoch: Int
  /// Mean data loss over the epoch's training batches (without the L2 term).
  public var trainLoss: Double
  /// Mean L2 penalty λ‖w‖² over the epoch (reported apart from the data loss).
  public var l2Penalty: Double
  /// Fraction of training examples classified right (nil for non-classification losses).
  public var trainAccuracy: Double?
  /// Mean loss on the validation examples, if any.
  public var validationLoss: Double?
  /// Fraction of validation examples classified right, if any and if classifying.
  public var validationAccuracy: Double?
  /// Wall-clock seconds the epoch took.
  public var seconds: Double
}

/// Training stopped because the loss stopped being a number.
public struct DivergenceError: Error, CustomStringConvertible {
  /// Where it happened (1-based).
  public var epoch: Int, step: Int
  /// What was kept (the last good model and checkpoint), for the message; set by callers
  /// that keep something.
  public var kept: String? = nil
  public var description: String {
    "training diverged: the loss or the weights became NaN or infinite at epoch \(epoch), step \(step); "
      + "try a smaller learning rate" + (kept.map { "; \($0)" } ?? "")
  }
}

/// Runs mini-batch training of one model with one loss and optimiser.
public final class Trainer {
  public let model: Layer
  public let loss: Loss
  public let optimizer: Optimizer
  public var regularization: L2Regularization
  /// The processes this model trains on together (nil: this process alone).
  public var group: ProcessGroup?

  /// A trainer for `model`; `l2` is λ of the L2 penalty on weights.
  public init(model: Layer, loss: Loss, optimizer: Optimizer, l2: Float = 0) {
    self.model = model
    self.loss = loss
    self.optimizer = optimizer
    self.regularization = L2Regularization(lambda: l2)
  }

  /// One gradient step on one batch.
  /// - Returns: the data loss, the L2 penalty and how many examples were right (classification).
  public func step(input: Tensor, target: Tensor) -> (loss: Float, penalty: Float, correct: Int?) {
    let parameters = model.parameters
    for parameter in parameters { parameter.zeroGradient() }
    let prediction = model.forward(input, mode: .training)
    let result = loss.evaluate(prediction, target)
    _ = model.backward(result.gradient)
    let penalty = regularization.apply(to: parameters)
    optimizer.step(parameters)
    return (result.value, penalty, Trainer.correctCount(prediction, target))
  }

  /// One synchronous data-parallel step on the global batch `chunk` of `source`: this
  /// process runs its rows (`ProcessGroup.share`), its loss gradient scaled by its share of
  /// the batch so that the sum over processes is the whole batch's mean gradient; the
  /// parameter gradients are then summed over the group (one MPI_Allreduce of all of them,
  /// after backward), and L2 and the optimiser run on the sums in every process alike.
  /// - Returns: the whole batch's data loss, the L2 penalty and how many examples were right.
  /// - Throws: `ProcessGroupError` when a peer is gone.
  func parallelStep(_ source: BatchSource, chunk: [Int], group: ProcessGroup) throws
    -> (loss: Float, penalty: Float, correct: Int?)
  {
    let rows = group.share(of: chunk.count)
    let parameters = model.parameters
    for parameter in parameters { parameter.zeroGradient() }
    GlobalBatch.firstRow = rows.lowerBound
    GlobalBatch.group = group
    GlobalBatch.rows = (rows.count, chunk.count)
    defer {
      GlobalBatch.firstRow = 0
      GlobalBatch.group = nil
      GlobalBatch.rows = nil
    }
    let (input, target) = source.batch(Array(chunk[rows]))
    let prediction = model.forward(input, mode: .training)
    let result = loss.evaluate(prediction, target)
    let share = Float(rows.count) / Float(chunk.count)
    _ = model.backward(share == 1 ? result.gradient : result.gradient * share)
    let trainable = parameters.filter { $0.role != .buffer }
    var gradients = [Float]()
    gradients.reserveCapacity(trainable.reduce(0) { $0 + $1.gradient.count })
    for parameter in trainable { gradients += parameter.gradient.scalars }
    try group.sum(&gradients)
    var offset = 0
    for parameter in trainable {
      let count = parameter.gradient.count
      gradients.withUnsafeBufferPointer { sums in
        parameter.gradient.withUnsafeMutableBufferPointer { g in
          for i in 0..<count { g[i] = sums[offset + i] }
        }
      }
      offset += count
    }
    let right = Trainer.correctCount(prediction, target)
    var figures = [Double(result.value) * Double(share), Double(right ?? 0)]
    try group.sum(&figures)
    let penalty = regularization.apply(to: parameters)
    optimizer.step(parameters)
    return (Float(figures[0]), penalty, right.map { _ in Int(figures[1].rounded()) })
  }

  /// Mean loss and accuracy over `indices` of `source`, in inference mode.
  public func evaluate(_ source: BatchSource, indices: [Int], batchSize: Int = 256)
    -> (loss: Double, accuracy: Double?)
  {
    var totalLoss = 0.0
    var correct = 0
    var classifying = true
    for start in stride(from: 0, to: indices.count, by: batchSize) {
      let chunk = Array(indices[start..<min(start + batchSize, indices.count)])
      let (input, target) = source.batch(chunk)
      let prediction = model.forward(input, mode: .inference)
      totalLoss += Double(loss.evaluate(prediction, target).value) * Double(chunk.count)
      if let right = Trainer.correctCount(prediction, target) {
        correct += right
      } else {
        classifying = false
      }
    }
    let count = Double(max(indices.count, 1))
    return (totalLoss / count, classifying ? Double(correct) / count : nil)
  }

  /// Trains for `epochs` epochs from `firstEpoch`, each one `trainEpoch`, then scores
  /// `validationIndices` (if any) into the epoch's report.
  ///
  /// `onEpoch` sees each report (print it, checkpoint) and returns false to stop early.
  /// TrainingRun drives `trainEpoch` itself, with checkpoints and its own validation score.
  /// - Throws: `DivergenceError` when the loss or a parameter becomes NaN or infinite;
  ///   `ProcessGroupError` when the batch cannot be split between the group or a peer is gone.
  @discardableResult
  public func fit(
    _ source: BatchSource, trainIndices: [Int], validationIndices: [Int] = [],
    epochs: Int, firstEpoch: Int = 1, batchSize: Int,
    using generator: inout some RandomNumberGenerator,
    onStep: (_ step: Int, _ stepsPerEpoch: Int, _ loss: Float) -> Void = { _, _, _ in },
    onEpoch: (EpochReport) -> Bool = { _ in true }
  ) throws -> [EpochReport] {
    var reports: [EpochReport] = []
    for epoch in firstEpoch..<(firstEpoch + epochs) {
      var report = try trainEpoch(
        epoch, source, trainIndices: trainIndices, batchSize: batchSize, using: &generator,
        onStep: onStep)
      if !validationIndices.isEmpty {
        let validation = evaluate(source, indices: validationIndices)
        report.validationLoss = validation.loss
        report.validationAccuracy = validation.accuracy
      }
      reports.append(report)
      if !onEpoch(report) { break }
    }
    return reports
  }

  /// One pass over `trainIndices` in an order shuffled by `generator`, in batches of
  /// `batchSize` (the last one smaller), split between the processes of `group` if any.
  /// - Returns: the epoch's training figures (no validation: the caller scores as it likes).
  /// - Throws: `DivergenceError` when the loss or a parameter becomes NaN or infinite;
  ///   `ProcessGroupError` when the batch cannot be split between the group or a peer is gone.
  public func trainEpoch(
    _ epoch: Int, _ source: BatchSource, trainIndices: [Int], batchSize: Int,
    using generator: inout some RandomNumberGenerator,
    onStep: (_ step: Int, _ stepsPerEpoch: Int, _ loss: Float) -> Void = { _, _, _ in }
  ) throws -> EpochReport {
    precondition(batchSize > 0, "batch size must be positive")
    let stepsPerEpoch = (trainIndices.count + batchSize - 1) / batchSize
    if let group, group.size > 1 {
      let last = trainIndices.count % batchSize
      guard batchSize >= group.size, last == 0 || last >= group.size else {
        throw ProcessGroupError(
          "a batch of \(min(batchSize, last == 0 ? batchSize : last)) examples cannot be split "
            + "between \(group.size) processes (each needs at least one): use fewer processes, "
            + "or a batch size that leaves no smaller last batch")
      }
    }
    let started = Clock.now
    let order = trainIndices.shuffled(using: &generator)
    var lossSum = 0.0
    var penaltySum = 0.0
    var correct = 0
    var classifying = true
    for (step, start) in stride(from: 0, to: order.count, by: batchSize).enumerated() {
      let chunk = Array(order[start..<min(start + batchSize, order.count)])
      let result: (loss: Float, penalty: Float, correct: Int?)
      if let group, group.size > 1 {
        result = try parallelStep(source, chunk: chunk, group: group)
      } else {
        let (input, target) = source.batch(chunk)
        result = self.step(input: input, target: target)
      }
      // The loss alone can stay finite while weights are NaN (ReLU maps NaN to 0), so the
      // parameters are checked too: one cheap pass beside a forward and backward pass.
      guard result.loss.isFinite, parametersAreFinite() else {
        throw DivergenceError(epoch: epoch, step: step + 1)
      }
      lossSum += Double(result.loss) * Double(chunk.count)
      penaltySum += Double(result.penalty)
      if let right = result.correct { correct += right } else { classifying = false }
      onStep(step + 1, stepsPerEpoch, result.loss)
    }
    let count = Double(max(order.count, 1))
    return EpochReport(
      epoch: epoch, trainLoss: lossSum / count,
      l2Penalty: penaltySum / Double(max(stepsPerEpoch, 1)),
      trainAccuracy: classifying ? Double(correct) / count : nil,
      seconds: Clock.secondsSince(started))
  }

  /// Whether every parameter value is a finite number.
  func parametersAreFinite() -> Bool {
    model.parameters.allSatisfy { parameter in
      parameter.value.withUnsafeBufferPointer { values in
        var finite = true
        for value in values where !value.isFinite {
          finite = false
          break
        }
        return finite
      }
    }
  }

  /// For logits `[N, K]` and class indices `[N]`, how many rows have the label as argmax;
  /// nil when the shapes are not a classification's.
  static func correctCount(_ prediction: Tensor, _ target: Tensor) -> Int? {
    guard prediction.rank == 2, target.rank == 1, prediction.shape[0] == target.shape[0],
      prediction.shape[1] > 1
    else { return nil }
    return zip(prediction.argmaxRows(), target.scalars).filter { $0 == Int($1) }.count
  }
}
