// The Loss protocol: a scalar that says how wrong a prediction is, and its gradient with
// respect to the prediction — where backpropagation starts.

/// A loss value and ∂loss/∂prediction.
public struct LossResult {
  /// The mean loss over the batch.
  public var value: Float
  /// ∂value/∂prediction, the same shape as the prediction.
  public var gradient: Tensor
}

/// A differentiable measure of error between a prediction and a target.
public protocol Loss {
  /// The mean loss of `prediction` against `target` and its gradient.
  func evaluate(_ prediction: Tensor, _ target: Tensor) -> LossResult
}
