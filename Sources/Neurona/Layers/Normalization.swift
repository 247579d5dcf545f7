// BatchNorm2D: per-channel batch normalisation of images, with PyTorch's conventions so that
// its state_dict loads (weight, bias, running_mean, running_var; momentum 0.1, eps 1e-5).
// N = batch, C = channels, H×W = image size, M = N·H·W (values per channel).
// Deliberately left out: `num_batches_tracked` (PyTorch keeps it only for momentum=None),
// and backward through inference mode (a frozen BatchNorm is a fixed affine map).

/// Batch normalisation over `[N, C, H, W]`, shape unchanged.
///
/// Training: x̂ = (x − μ_B) / √(σ²_B + ε) with the batch's mean and biased variance per
/// channel, y = γ·x̂ + β; then running ← (1 − m)·running + m·batch, with the *unbiased*
/// variance M/(M−1)·σ²_B for `running_var`. Inference: the running statistics replace the
/// batch's. - Paper: Ioffe & Szegedy, arXiv:1502.03167.
public final class BatchNorm2D: Layer {
  /// γ `[C]`, starts at 1 (role `.bias`: not L2-regularised).
  public let weight: Parameter
  /// β `[C]`, starts at 0.
  public let bias: Parameter
  /// `[C]`, starts at 0; never touched by optimisers.
  public let runningMean: Parameter
  /// `[C]`, starts at 1.
  public let runningVariance: Parameter
  /// m in running ← (1 − m)·running + m·batch.
  public let momentum: Float
  /// ε, added to the variance before the square root.
  public let epsilon: Float

  /// x̂ of the last training pass, `[N, C, H, W]`.
  private var normalized = Tensor(zeros: [0])
  /// 1 / √(σ²_B + ε) of the last training pass, `[C]`.
  private var inverseStd: [Float] = []

  /// Batch normalisation of `channels` channels with γ = 1, β = 0.
  public init(_ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
    precondition(channels > 0)
    weight = Parameter(Tensor(repeating: 1, shape: [channels]), role: .bias)
    bias = Parameter(Tensor(zeros: [channels]), role: .bias)
    runningMean = Parameter(Tensor(zeros: [channels]), role: .buffer)
    runningVariance = Parameter(Tensor(repeating: 1, shape: [channels]), role: .buffer)
    self.momentum = momentum
    self.epsilon = epsilon
  }

  /// C.
  public var channels: Int { weight.value.count }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    [
      ("weight", weight), ("bias", bias), ("running_mean", runningMean),
      ("running_var", runningVariance),
    ]
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    precondition(
      input.rank == 4 && input.shape[1] == channels,
      "BatchNorm2D(\(channels)) needs [N, \(channels), H, W], got \(input.shape)")
    let (n, area) = (input.shape[0], input.shape[2] * input.shape[3])
    var scale = [Float](repeating: 0, count: channels)
    var shift = [Float](repeating: 0, count: channels)
    let gamma = weight.value.scalars
    let beta = bias.value.scalars
    if mode == .training {
      let (mean, variance) = statistics(input)
      let m = Double(n * area)
      inverseStd = variance.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
      for c in 0..<channels {
        runningMean.value.scalars[c] =
          (1 - momentum) * runningMean.value.scalars[c] + momentum * Float(mean[c])
        let unbiased = m > 1 ? variance[c] * m / (m - 1) : variance[c]
        runningVariance.value.scalars[c] =
          (1 - momentum) * runningVariance.value.scalars[c] + momentum * Float(unbiased)
        // y = γ·x̂ + β with x̂ = (x − μ)·inverseStd; x̂ itself is kept for backward.
        scale[c] = inverseStd[c]
        shift[c] = -Float(mean[c]) * inverseStd[c]
      }
      normalized = BatchNorm2D.affine(input, scale: scale, shift: shift)
      for c in 0..<channels { (scale[c], shift[c]) = (gamma[c], beta[c]) }
      return BatchNorm2D.affine(normalized, scale: scale, shift: shift)
    }
    for c in 0..<channels {
      let inverse = 1 / (runningVariance.value.scalars[c] + epsilon).squareRoot()
      scale[c] = gamma[c] * inverse
      shift[c] = beta[c] - runningMean.value.scalars[c] * scale[c]
    }
    return BatchNorm2D.affine(input, scale: scale, shift: shift)
  }

  /// ∂β += Σ ∂y, ∂γ += Σ ∂y·x̂, ∂x = γ·inverseStd·(∂y − Σ∂y / M − x̂·Σ(∂y·x̂) / M).
  public func backward(_ outputGradient: Tensor) -> Tensor {
    precondition(outputGradient.shape == normalized.shape, "BatchNorm2D backward: gradient shape")
    let (n, area) = (normalized.shape[0], normalized.shape[2] * normalized.shape[3])
    var sumGradient = [Double](repeating: 0, count: channels)
    var sumProduct = [Double](repeating: 0, count: channels)
    outputGradient.withUnsafeBufferPointer { dy in
      normalized.withUnsafeBufferPointer { xhat in
        for image in 0..<n {
          for c in 0..<channels {
            let base = (image * channels + c) * area
            let (a, b) = BatchNorm2D.sums(dy.baseAddress! + base, xhat.baseAddress! + base, area)
            sumGradient[c] += a
            sumProduct[c] += b
          }
        }
      }
    }
    let m = Float(n * area)
    var scale = [Float](repeating: 0, count: channels)
    var xhatScale = [Float](repeating: 0, count: channels)
    var shift = [Float](repeating: 0, count: channels)
    for c in 0..<channels {
      bias.gradient.scalars[c] += Float(sumGradient[c])
      weight.gradient.scalars[c] += Float(sumProduct[c])
      scale[c] = weight.value.scalars[c] * inverseStd[c]
      xhatScale[c] = -scale[c] * Float(sumProduct[c]) / m
      shift[c] = -scale[c] * Float(sumGradient[c]) / m
    }
    var inputGradient = outputGradient
    inputGradient.withUnsafeMutableBufferPointer { dx in
      normalized.withUnsafeBufferPointer { xhat in
        for image in 0..<n {
          for c in 0..<channels {
            let base = (image * channels + c) * area
            let (a, b, d) = (scale[c], xhatScale[c], shift[c])
            for q in base..<(base + area) { dx[q] = a * dx[q] + b * xhat[q] + d }
          }
        }
      }
    }
    return inputGradient
  }

  /// The mean and biased variance of each channel (two passes, sums in Double per plane).
  private func statistics(_ input: Tensor) -> (mean: [Double], variance: [Double]) {
    let (n, area) = (input.shape[0], input.shape[2] * input.shape[3])
    let m = Double(n * area)
    var mean = [Double](repeating: 0, count: channels)
    var variance = [Double](repeating: 0, count: channels)
    input.withUnsafeBufferPointer { x in
      for image in 0..<n {
        for c in 0..<channels {
          mean[c] += BatchNorm2D.sum(x.baseAddress! + (image * channels + c) * area, area, 0)
        }
      }
      for c in 0..<channels { mean[c] /= m }
      for image in 0..<n {
        for c in 0..<channels {
          let plane = x.baseAddress! + (image * channels + c) * area
          variance[c] += BatchNorm2D.sum(plane, area, Float(mean[c]), squared: true)
        }
      }
    }
    return (mean, variance.map { $0 / m })
  }

  /// y[n, c, ·] = scale[c]·x[n, c, ·] + shift[c].
  static func affine(_ input: Tensor, scale: [Float], shift: [Float]) -> Tensor {
    var output = input
    let (channels, area) = (input.shape[1], input.shape[2] * input.shape[3])
    output.withUnsafeMutableBufferPointer { y in
      for plane in 0..<(input.shape[0] * channels) {
        let (a, b) = (scale[plane % channels], shift[plane % channels])
        for q in (plane * area)..<((plane + 1) * area) { y[q] = a * y[q] + b }
      }
    }
    return output
  }

  /// Σ (x − centre) or Σ (x − centre)² over `count` values, in 8 Float lanes then Double.
  static func sum(
    _ x: UnsafePointer<Float>, _ count: Int, _ centre: Float, squared: Bool = false
  ) -> Double {
    var lanes = SIMD8<Float>.zero
    let c = SIMD8<Float>(repeating: centre)
    var i = 0
    while i + 8 <= count {
      let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - c
      lanes += squared ? d * d : d
      i += 8
    }
    var total = Double(lanes.sum())
    while i < count {
      let d = Double(x[i] - centre)
      total += squared ? d * d : d
      i += 1
    }
    return total
  }

  /// (Σ a, Σ a·b) over `count` values, in 8 Float lanes then Double.
  static func sums(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int)
    -> (Double, Double)
  {
    var sumA = SIMD8<Float>.zero
    var sumAB = SIMD8<Float>.zero
    var i = 0
    while i + 8 <= count {
      let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
      let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
      sumA += va
      sumAB += va * vb
      i += 8
    }
    var (totalA, totalAB) = (Double(sumA.sum()), Double(sumAB.sum()))
    while i < count {
      totalA += Double(a[i])
      totalAB += Double(a[i]) * Double(b[i])
      i += 1
    }
    return (totalA, totalAB)
  }
}
