// Where a trainer's mini-batches come from, and the seeded train/validation split.
// B = batch size.

/// A collection of examples that can be served as mini-batches by index.
public protocol BatchSource {
  /// The number of examples.
  var count: Int { get }
  /// The examples at `indices` as one batch: inputs `[B, …]` and targets `[B, …]`.
  func batch(_ indices: [Int]) -> (input: Tensor, target: Tensor)
}

/// Examples held in memory as two tensors whose first dimension is the example.
public struct TensorDataset: BatchSource {
  /// `[count, …]`.
  public let inputs: Tensor
  /// `[count]` class indices or `[count, …]` targets.
  public let targets: Tensor

  /// A dataset of `inputs` and `targets` with the same first dimension.
  public init(inputs: Tensor, targets: Tensor) {
    precondition(inputs.shape.first == targets.shape.first, "inputs and targets differ in count")
    self.inputs = inputs
    self.targets = targets
  }

  public var count: Int { inputs.shape.first ?? 0 }

  public func batch(_ indices: [Int]) -> (input: Tensor, target: Tensor) {
    (inputs.gathering(rows: indices), targets.gathering(rows: indices))
  }
}

/// Shuffles `0..<count` with `generator` and cuts off the last `validationFraction` of it.
public func trainValidationSplit(
  count: Int, validationFraction: Double, using generator: inout some RandomNumberGenerator
) -> (train: [Int], validation: [Int]) {
  precondition(validationFraction >= 0 && validationFraction < 1, "validation fraction in [0, 1)")
  let shuffled = Array(0..<count).shuffled(using: &generator)
  let validationCount = Int((Double(count) * validationFraction).rounded())
  return (Array(shuffled.dropLast(validationCount)), Array(shuffled.suffix(validationCount)))
}
