// L2 regularisation (the course's "norma L2"): λ‖w‖² added to the loss pulls weights
// toward zero and discourages a model that memorises its training set. Applied here and
// nowhere else; biases, normalisation shifts and buffers are exempt.

/// The penalty λ·Σ‖w‖² over every weight parameter, with gradient 2λw.
public struct L2Regularization {
  /// λ; 0 disables the penalty.
  public var lambda: Float

  /// A penalty of strength `lambda`.
  public init(lambda: Float) { self.lambda = lambda }

  /// Adds 2λw to the gradient of every weight and returns the penalty λ·Σ‖w‖² (reported
  /// separately from the data loss).
  @discardableResult
  public func apply(to parameters: [Parameter]) -> Float {
    guard lambda != 0 else { return 0 }
    var penalty: Double = 0
    for parameter in parameters where parameter.role == .weight {
      penalty += parameter.value.squaredNorm()
      let value = parameter.value
      parameter.gradient.withUnsafeMutableBufferPointer { g in
        value.withUnsafeBufferPointer { w in
          for i in 0..<g.count { g[i] += 2 * lambda * w[i] }
        }
      }
    }
    return Float(Double(lambda) * penalty)
  }
}
