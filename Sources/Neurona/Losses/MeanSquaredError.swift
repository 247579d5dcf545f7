// Mean squared error, the regression loss of the course.

/// L = mean((ŷ − y)²) over all elements; ∂L/∂ŷ = 2(ŷ − y)/count.
public struct MeanSquaredError: Loss {
  public init() {}

  public func evaluate(_ prediction: Tensor, _ target: Tensor) -> LossResult {
    precondition(
      prediction.shape == target.shape, "MSE shapes: \(prediction.shape) vs \(target.shape)")
    let count = Float(max(prediction.count, 1))
    let difference = prediction - target
    let value = Float(difference.squaredNorm()) / count
    return LossResult(value: value, gradient: difference * (2 / count))
  }
}
