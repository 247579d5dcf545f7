// Soft Dice loss for masks: 1 − (2Σpg + s) / (Σp + Σg + s), p = σ(logit), over the whole
// batch. It scores overlap rather than pixels, so a small foreground still counts.
// s (smoothing) keeps the empty-mask case finite. In a data-parallel step the sums are the
// whole global batch's (GlobalBatch), so P processes compute the one-process loss.

/// Soft Dice on logits; `target` holds 0/1 (or soft) foreground values of the same shape.
///
/// - Paper: Milletari et al., "V-Net", arXiv:1606.04797.
public struct SoftDiceLoss: Loss {
  public var smoothing: Float

  public init(smoothing: Float = 1) { self.smoothing = smoothing }

  /// With I = Σpg and U = Σp + Σg: L = 1 − (2I + s)/(U + s),
  /// ∂L/∂p = −(2g(U + s) − (2I + s)) / (U + s)², ∂p/∂z = p(1 − p).
  public func evaluate(_ prediction: Tensor, _ target: Tensor) -> LossResult {
    precondition(
      prediction.shape == target.shape, "Dice shapes: \(prediction.shape) vs \(target.shape)")
    let probabilities = prediction.map(sigmoid)
    var intersection: Double = 0
    var union: Double = 0
    for (p, g) in zip(probabilities.scalars, target.scalars) {
      intersection += Double(p * g)
      union += Double(p + g)
    }
    var sums = [intersection, union]
    GlobalBatch.sum(&sums)
    (intersection, union) = (sums[0], sums[1])
    let s = Double(smoothing)
    let denominator = union + s
    let value = 1 - (2 * intersection + s) / denominator
    let unshare = GlobalBatch.unshare
    var gradient = probabilities
    gradient.withUnsafeMutableBufferPointer { d in
      target.withUnsafeBufferPointer { g in
        for i in 0..<d.count {
          let p = Double(d[i])
          let dp =
            -(2 * Double(g[i]) * denominator - (2 * intersection + s)) / (denominator * denominator)
          d[i] = Float(dp * p * (1 - p) * unshare)
        }
      }
    }
    return LossResult(value: Float(value), gradient: gradient)
  }
}

/// A weighted sum of losses on the same prediction (e.g. BCE + Dice for masks).
public struct CombinedLoss: Loss {
  public var terms: [(weight: Float, loss: Loss)]

  public init(_ terms: [(weight: Float, loss: Loss)]) { self.terms = terms }

  public func evaluate(_ prediction: Tensor, _ target: Tensor) -> LossResult {
    var total = LossResult(value: 0, gradient: Tensor(zeros: prediction.shape))
    for (weight, loss) in terms where weight != 0 {
      let result = loss.evaluate(prediction, target)
      total.value += weight * result.value
      total.gradient.add(result.gradient * weight)
    }
    return total
  }
}
