// Losses for per-pixel classes (e.g. background / interior / boundary): the network gives K
// logits per pixel, `[N, K, H, W]`, and the target holds each pixel's class index,
// `[N, 1, H, W]` (stored as Float). Softmax runs over the K channels of each pixel.
// Weighted cross-entropy scores every pixel (rare classes weighted up); soft Dice scores the
// overlap of each non-background class, so a thin class (a boundary) still counts.
// N = batch, K = classes, P = H·W pixels per picture.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Softmax over the channels of each pixel: `[N, K, H, W]` logits → probabilities.
public func pixelSoftmax(_ logits: Tensor) -> Tensor {
  precondition(logits.rank == 4, "pixel softmax needs [N, K, H, W], got \(logits.shape)")
  let (n, k, p) = (logits.shape[0], logits.shape[1], logits.shape[2] * logits.shape[3])
  var probabilities = logits
  probabilities.withUnsafeMutableBufferPointer { z in
    for b in 0..<n {
      for i in 0..<p {
        let base = b * k * p + i
        var largest = -Float.infinity
        for c in 0..<k { largest = max(largest, z[base + c * p]) }
        var sum: Float = 0
        for c in 0..<k {
          let e = expf(z[base + c * p] - largest)
          z[base + c * p] = e
          sum += e
        }
        for c in 0..<k { z[base + c * p] /= sum }
      }
    }
  }
  return probabilities
}

/// Weighted cross-entropy of a per-pixel softmax, PyTorch's `cross_entropy(z, y, weight=w)`:
/// L = Σ_i w_{y_i}·(log Σ_k e^{z_ik} − z_{i,y_i}) / Σ_i w_{y_i};
/// ∂L/∂z_ik = w_{y_i}·(softmax_k − [k = y_i]) / Σ_i w_{y_i}.
public struct PixelCrossEntropy: Loss {
  /// One weight per class (all 1 when empty).
  public var classWeights: [Float]

  public init(classWeights: [Float] = []) { self.classWeights = classWeights }

  public func evaluate(_ prediction: Tensor, _ target: Tensor) -> LossResult {
    let (n, k) = (prediction.shape[0], prediction.shape[1])
    let p = prediction.count / max(n * k, 1)
    precondition(target.count == n * p, "pixel CE target must be [N, 1, H, W] class indices")
    precondition(classWeights.isEmpty || classWeights.count == k, "one class weight per class")
    let weights = classWeights.isEmpty ? [Float](repeating: 1, count: k) : classWeights
    var gradient = pixelSoftmax(prediction)
    var total: Double = 0
    var weightSum: Double = 0
    gradient.withUnsafeMutableBufferPointer { g in
      target.withUnsafeBufferPointer { y in
        for b in 0..<n {
          for i in 0..<p {
            let label = Int(y[b * p + i])
            precondition(label >= 0 && label < k, "class index \(label) outside 0..<\(k)")
            let base = b * k * p + i
            let w = weights[label]
            // −log softmax_y from the probability, clamped away from 0.
            total += Double(w) * Double(-logf(max(g[base + label * p], .leastNormalMagnitude)))
            weightSum += Double(w)
            for c in 0..<k { g[base + c * p] *= w }
            g[base + label * p] -= w
          }
        }
      }
    }
    // Over the whole global batch in a data-parallel step (GlobalBatch).
    var sums = [total, weightSum]
    GlobalBatch.sum(&sums)
    (total, weightSum) = (sums[0], sums[1])
    let scale = Float(GlobalBatch.unshare / max(weightSum, .leastNormalMagnitude))
    gradient.withUnsafeMutableBufferPointer { g in
      for i in 0..<g.count { g[i] *= scale }
    }
    return LossResult(
      value: Float(total / max(weightSum, .leastNormalMagnitude)), gradient: gradient)
  }
}

/// Soft Dice of each non-background class of a per-pixel softmax, averaged over classes
/// 1..<K and computed over the whole batch: L = mean_c [1 − (2Σp_c·g_c + s)/(Σp_c + Σg_c + s)],
/// g_c = [y = c]. Through the softmax: ∂L/∂z_k = p_k·(∂L/∂p_k − Σ_j p_j·∂L/∂p_j).
///
/// - Paper: Milletari et al., "V-Net", arXiv:1606.04797.
public struct PixelSoftmaxDice: Loss {
  public var smoothing: Float

  public init(smoothing: Float = 1) { self.smoothing = smoothing }

  public func evaluate(_ prediction: Tensor, _ target: Tensor) -> LossResult {
    let (n, k) = (prediction.shape[0], prediction.shape[1])
    let p = prediction.count / max(n * k, 1)
    precondition(k >= 2 && target.count == n * p, "pixel Dice needs K ≥ 2 and [N, 1, H, W] targets")
    let probabilities = pixelSoftmax(prediction)
    let s = Double(smoothing)
    // Per class: I = Σp·g, U = Σp + Σg.
    var intersection = [Double](repeating: 0, count: k)
    var union = [Double](repeating: 0, count: k)
    probabilities.withUnsafeBufferPointer { q in
      for b in 0..<n {
        for i in 0..<p {
          let label = Int(target.scalars[b * p + i])
          for c in 1..<k {
            let value = Double(q[(b * k + c) * p + i])
            union[c] += value + (label == c ? 1 : 0)
            if label == c { intersection[c] += value }
          }
        }
      }
    }
    // Over the whole global batch in a data-parallel step (GlobalBatch).
    var sums = intersection + union
    GlobalBatch.sum(&sums)
    intersection = Array(sums[0..<k])
    union = Array(sums[k...])
    let unshare = GlobalBatch.unshare
    let classes = Double(k - 1)
    var value = 0.0
    for c in 1..<k { value += 1 - (2 * intersection[c] + s) / (union[c] + s) }
    var gradient = Tensor(zeros: prediction.shape)
    gradient.withUnsafeMutableBufferPointer { d in
      probabilities.withUnsafeBufferPointer { q in
        var dp = [Double](repeating: 0, count: k)
        for b in 0..<n {
          for i in 0..<p {
            let label = Int(target.scalars[b * p + i])
            // ∂L/∂p_c = −(2g(U + s) − (2I + s)) / (U + s)² / (K − 1); 0 for background.
            var weighted = 0.0
            for c in 1..<k {
              let u = union[c] + s
              let g = label == c ? 2.0 : 0
              dp[c] = -(g * u - (2 * intersection[c] + s)) / (u * u) / classes
              weighted += Double(q[(b * k + c) * p + i]) * dp[c]
            }
            for c in 0..<k {
              let index = (b * k + c) * p + i
              d[index] = Float(Double(q[index]) * (dp[c] - weighted) * unshare)
            }
          }
        }
      }
    }
    return LossResult(value: Float(value / classes), gradient: gradient)
  }
}
