// Binary cross-entropy on logits, for yes/no outputs such as a foreground mask.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// L = mean(max(z, 0) − z·y + log(1 + e^−|z|)), the stable form of
/// −[y log σ(z) + (1 − y) log(1 − σ(z))]; ∂L/∂z = (σ(z) − y)/count.
///
/// `prediction` holds logits, `target` probabilities in [0, 1] of the same shape.
public struct BinaryCrossEntropy: Loss {
  public init() {}

  public func evaluate(_ prediction: Tensor, _ target: Tensor) -> LossResult {
    precondition(
      prediction.shape == target.shape, "BCE shapes: \(prediction.shape) vs \(target.shape)")
    let count = Float(max(prediction.count, 1))
    var gradient = prediction
    var total: Double = 0
    gradient.withUnsafeMutableBufferPointer { g in
      target.withUnsafeBufferPointer { y in
        for i in 0..<g.count {
          let z = g[i]
          total += Double(max(z, 0) - z * y[i] + log1pf(expf(-abs(z))))
          g[i] = (sigmoid(z) - y[i]) / count
        }
      }
    }
    return LossResult(value: Float(total / Double(count)), gradient: gradient)
  }
}
