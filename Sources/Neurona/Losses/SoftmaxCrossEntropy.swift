// Cross-entropy of a softmax over class logits (the course's "cross-entropy"), computed
// from the logits with log-sum-exp so no probability is ever rounded to 0 and logged.
// N = batch size, K = classes.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// L = mean_n(log Σ_k e^{z_nk} − z_n,y_n); ∂L/∂z = (softmax(z) − onehot(y)) / N.
///
/// `prediction` is logits `[N, K]`; `target` holds the class index of each row, `[N]`
/// (stored as Float).
public struct SoftmaxCrossEntropy: Loss {
  public init() {}

  public func evaluate(_ prediction: Tensor, _ target: Tensor) -> LossResult {
    precondition(prediction.rank == 2, "cross-entropy needs logits [N, K], got \(prediction.shape)")
    let (n, k) = (prediction.shape[0], prediction.shape[1])
    precondition(
      target.shape == [n], "cross-entropy needs class indices [\(n)], got \(target.shape)")
    var gradient = prediction
    var total: Double = 0
    gradient.withUnsafeMutableBufferPointer { g in
      for row in 0..<n {
        let label = Int(target.scalars[row])
        precondition(label >= 0 && label < k, "class index \(label) outside 0..<\(k)")
        let base = row * k
        var largest = -Float.infinity
        for j in 0..<k { largest = max(largest, g[base + j]) }
        var sum: Float = 0
        for j in 0..<k { sum += expf(g[base + j] - largest) }
        let logSumExp = largest + logf(sum)
        total += Double(logSumExp - g[base + label])
        for j in 0..<k { g[base + j] = expf(g[base + j] - logSumExp) / Float(n) }
        g[base + label] -= 1 / Float(n)
      }
    }
    return LossResult(value: Float(total / Double(max(n, 1))), gradient: gradient)
  }
}
