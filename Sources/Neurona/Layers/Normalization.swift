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
/// batch's. In a data-parallel step (`GlobalBatch.group`) the sums behind μ_B, σ²_B and the
/// backward pass are summed over the processes ("synchronised" batch norm), so the batch is
/// the global one and P processes compute what one would.
/// - Paper: Ioffe & Szegedy, arXiv:1502.03167.
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

  /// The input of the last training pass, `[N, C, H, W]`: backward recomputes x̂ from it
  /// rather than forward writing (and allocating) a second tensor the size of the input.
  private var input = Tensor(zeros: [0])
  /// μ_B of the last training pass, `[C]`.
  private var mean: [Float] = []
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
    forward(input, mode: mode, rectifies: false)
  }

  /// Forward, and with `rectifies` a ReLU after it in the same pass (TrainingFusion.swift).
  func forward(_ input: Tensor, mode: Mode, rectifies: Bool) -> Tensor {
    precondition(
      input.rank == 4 && input.shape[1] == channels,
      "BatchNorm2D(\(channels)) needs [N, \(channels), H, W], got \(input.shape)")
    let (n, area) = (input.shape[0], input.shape[2] * input.shape[3])
    var scale = [Float](repeating: 0, count: channels)
    var shift = [Float](repeating: 0, count: channels)
    let gamma = weight.value.scalars
    let beta = bias.value.scalars
    if mode == .training {
      precondition(n * area > 0, "BatchNorm2D: training needs at least one value per channel")
      let (mean, variance, m) = statistics(input)
      inverseStd = variance.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
      self.input = input
      self.mean = mean.map { Float($0) }
      for c in 0..<channels {
        runningMean.value.scalars[c] =
          (1 - momentum) * runningMean.value.scalars[c] + momentum * Float(mean[c])
        let unbiased = m > 1 ? variance[c] * m / (m - 1) : variance[c]
        runningVariance.value.scalars[c] =
          (1 - momentum) * runningVariance.value.scalars[c] + momentum * Float(unbiased)
        // y = γ·(x − μ)·inverseStd + β, as one multiply-add per element.
        scale[c] = gamma[c] * inverseStd[c]
        shift[c] = beta[c] - Float(mean[c]) * scale[c]
      }
      return BatchNorm2D.affine(input, scale: scale, shift: shift, rectifies: rectifies)
    }
    (scale, shift) = inferenceAffine()
    return BatchNorm2D.affine(input, scale: scale, shift: shift, rectifies: rectifies)
  }

  /// The inference map y = x·scale + shift, per channel, from the running statistics.
  public func inferenceAffine() -> (scale: [Float], shift: [Float]) {
    let (gamma, beta) = (weight.value.scalars, bias.value.scalars)
    let (mean, variance) = (runningMean.value.scalars, runningVariance.value.scalars)
    var scale = [Float](repeating: 0, count: channels)
    var shift = [Float](repeating: 0, count: channels)
    for c in 0..<channels {
      scale[c] = gamma[c] * (1 / (variance[c] + epsilon).squareRoot())
      shift[c] = beta[c] - mean[c] * scale[c]
    }
    return (scale, shift)
  }

  /// ∂β += Σ ∂y, ∂γ += Σ ∂y·x̂, ∂x = γ·inverseStd·(∂y − Σ∂y / M − x̂·Σ(∂y·x̂) / M),
  /// with x̂ = (x − μ)·inverseStd recomputed from the cached input.
  public func backward(_ outputGradient: Tensor) -> Tensor {
    backward(outputGradient, rectifiedBy: nil)
  }

  /// Backward through a ReLU after this layer as well (TrainingFusion.swift): ∂y is kept
  /// where the ReLU's output `rectified` is positive, as the ReLU's backward would, read as
  /// it is used instead of in a pass of its own.
  func backward(_ outputGradient: Tensor, rectifiedBy rectified: Tensor?) -> Tensor {
    precondition(outputGradient.shape == input.shape, "BatchNorm2D backward: gradient shape")
    precondition(rectified.map { $0.shape == input.shape } ?? true, "BatchNorm2D backward: ReLU")
    let mask = rectified?.scalars ?? []
    let (n, area) = (input.shape[0], input.shape[2] * input.shape[3])
    var sumGradient = [Double](repeating: 0, count: channels)
    var sumCentred = [Double](repeating: 0, count: channels)  // Σ ∂y·(x − μ)
    outputGradient.withUnsafeBufferPointer { dy in
      input.withUnsafeBufferPointer { x in
        mask.withUnsafeBufferPointer { y in
          let y = mask.isEmpty ? nil : y.baseAddress
          sumGradient.withUnsafeMutableBufferPointer { sumGradient in
            sumCentred.withUnsafeMutableBufferPointer { sumCentred in
              // Channels shared between the workers; each channel sums its images in order.
              ParallelPasses.forEachRange(channels, elementsPerItem: 2 * n * area) { range in
                for c in range {
                  for image in 0..<n {
                    let base = (image * channels + c) * area
                    let (a, b) = BatchNorm2D.sums(
                      dy.baseAddress! + base, x.baseAddress! + base, centre: mean[c], area,
                      mask: y.map { $0 + base })
                    sumGradient[c] += a
                    sumCentred[c] += b
                  }
                }
              }
            }
          }
        }
      }
    }
    // γ and β get this process's sums (the trainer sums parameter gradients over the group);
    // ∂x needs the whole batch's.
    for c in 0..<channels {
      bias.gradient.scalars[c] += Float(sumGradient[c])
      weight.gradient.scalars[c] += Float(sumCentred[c]) * inverseStd[c]
    }
    var m = Float(n * area)
    if let group = GlobalBatch.group, group.size > 1 {
      var sums = sumGradient + sumCentred + [Double(m)]
      GlobalBatch.sum(&sums)
      sumGradient = Array(sums[0..<channels])
      sumCentred = Array(sums[channels..<(2 * channels)])
      m = Float(sums[2 * channels])
    }
    // ∂x = a·∂y + b·x + d per channel, with x̂·(…) expanded: x̂ = (x − μ)·inverseStd.
    var (a, b, d) = ([Float](), [Float](), [Float]())
    for c in 0..<channels {
      let sumProduct = Float(sumCentred[c]) * inverseStd[c]  // Σ ∂y·x̂
      let scale = weight.value.scalars[c] * inverseStd[c]
      let xhatScale = -scale * sumProduct / m
      a.append(scale)
      b.append(xhatScale * inverseStd[c])
      d.append(-scale * Float(sumGradient[c]) / m - xhatScale * inverseStd[c] * mean[c])
    }
    return Tensor(uninitializedShape: input.shape) { dx in
      outputGradient.withUnsafeBufferPointer { dy in
        input.withUnsafeBufferPointer { x in
          mask.withUnsafeBufferPointer { y in
            let y = mask.isEmpty ? nil : y.baseAddress
            ParallelPasses.forEachRange(n * channels, elementsPerItem: 2 * area) { planes in
              for plane in planes {
                let (c, base) = (plane % channels, plane * area)
                let (target, g, v) = (
                  dx.baseAddress! + base, dy.baseAddress! + base, x.baseAddress! + base
                )
                let (ac, bc, dc) = (a[c], b[c], d[c])
                if let y {
                  BatchNorm2D.maskedGradient(
                    target, g, v, mask: y + base, area, a: ac, b: bc, d: dc)
                } else {
                  for q in 0..<area { target[q] = ac * g[q] + bc * v[q] + dc }
                }
              }
            }
          }
        }
      }
    }
  }

  /// The mean and biased variance of each channel and M (two passes, sums in Double per
  /// plane); over the whole group's batch in a data-parallel step.
  private func statistics(_ input: Tensor) -> (mean: [Double], variance: [Double], m: Double) {
    if let group = GlobalBatch.group, group.size > 1 { return groupStatistics(input) }
    let (n, area) = (input.shape[0], input.shape[2] * input.shape[3])
    let m = Double(n * area)
    var mean = [Double](repeating: 0, count: channels)
    var variance = [Double](repeating: 0, count: channels)
    input.withUnsafeBufferPointer { x in
      mean.withUnsafeMutableBufferPointer { mean in
        variance.withUnsafeMutableBufferPointer { variance in
          // Channels shared between the workers; each channel sums its images in order.
          ParallelPasses.forEachRange(channels, elementsPerItem: 2 * n * area) { range in
            for c in range {
              for image in 0..<n {
                mean[c] += BatchNorm2D.sum(x.baseAddress! + (image * channels + c) * area, area, 0)
              }
              mean[c] /= m
              for image in 0..<n {
                let plane = x.baseAddress! + (image * channels + c) * area
                variance[c] += BatchNorm2D.sum(plane, area, Float(mean[c]), squared: true)
              }
            }
          }
        }
      }
    }
    return (mean, variance.map { $0 / m }, m)
  }

  /// `statistics` over the processes of `GlobalBatch.group`: the sums, then M, then the
  /// centred sums around the global mean, each summed over the group.
  private func groupStatistics(_ input: Tensor) -> (mean: [Double], variance: [Double], m: Double) {
    let (n, area) = (input.shape[0], input.shape[2] * input.shape[3])
    var sums = [Double](repeating: 0, count: channels + 1)
    input.withUnsafeBufferPointer { x in
      for c in 0..<channels {
        for image in 0..<n {
          sums[c] += BatchNorm2D.sum(x.baseAddress! + (image * channels + c) * area, area, 0)
        }
      }
    }
    sums[channels] = Double(n * area)
    GlobalBatch.sum(&sums)
    let m = sums[channels]
    let mean = sums[0..<channels].map { $0 / m }
    var variance = [Double](repeating: 0, count: channels)
    input.withUnsafeBufferPointer { x in
      for c in 0..<channels {
        for image in 0..<n {
          let plane = x.baseAddress! + (image * channels + c) * area
          variance[c] += BatchNorm2D.sum(plane, area, Float(mean[c]), squared: true)
        }
      }
    }
    GlobalBatch.sum(&variance)
    return (mean, variance.map { $0 / m }, m)
  }

  /// y[n, c, ·] = scale[c]·x[n, c, ·] + shift[c] (then max(0, ·) if `rectifies`), one pass
  /// into a new tensor.
  static func affine(
    _ input: Tensor, scale: [Float], shift: [Float], rectifies: Bool = false
  ) -> Tensor {
    let (channels, area) = (input.shape[1], input.shape[2] * input.shape[3])
    let planes = input.shape[0] * channels
    return Tensor(uninitializedShape: input.shape) { y in
      input.withUnsafeBufferPointer { x in
        ParallelPasses.forEachRange(planes, elementsPerItem: area) { range in
          for plane in range {
            let (a, b) = (scale[plane % channels], shift[plane % channels])
            let (target, source) = (y.baseAddress! + plane * area, x.baseAddress! + plane * area)
            if rectifies {
              for q in 0..<area {
                let value = a * source[q] + b
                target[q] = value > 0 ? value : 0
              }
            } else {
              for q in 0..<area { target[q] = a * source[q] + b }
            }
          }
        }
      }
    }
  }

  /// target = a·(mask > 0 ? g : 0) + b·v + d over `count` values, in 8 lanes: the input
  /// gradient through a fused ReLU (a select the compiler leaves scalar when written per
  /// element).
  static func maskedGradient(
    _ target: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
    mask: UnsafePointer<Float>, _ count: Int, a: Float, b: Float, d: Float
  ) {
    typealias Lanes = SIMD8<Float>
    let (av, bv, dv) = (Lanes(repeating: a), Lanes(repeating: b), Lanes(repeating: d))
    var q = 0
    while q + 8 <= count {
      var gq = UnsafeRawPointer(g + q).loadUnaligned(as: Lanes.self)
      let mq = UnsafeRawPointer(mask + q).loadUnaligned(as: Lanes.self)
      let vq = UnsafeRawPointer(v + q).loadUnaligned(as: Lanes.self)
      gq.replace(with: 0, where: mq .<= 0)
      UnsafeMutableRawPointer(target + q).storeBytes(of: av * gq + bv * vq + dv, as: Lanes.self)
      q += 8
    }
    while q < count {
      target[q] = a * (mask[q] > 0 ? g[q] : 0) + b * v[q] + d
      q += 1
    }
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

  /// (Σ a, Σ a·(b − centre)) over `count` values, in 8 Float lanes then Double; with `mask`,
  /// a counts only where the mask is positive (a ReLU's output: its backward, fused).
  static func sums(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, centre: Float, _ count: Int,
    mask: UnsafePointer<Float>? = nil
  ) -> (Double, Double) {
    var sumA = SIMD8<Float>.zero
    var sumAB = SIMD8<Float>.zero
    let c = SIMD8<Float>(repeating: centre)
    var i = 0
    while i + 8 <= count {
      var va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
      if let mask {
        let vm = UnsafeRawPointer(mask + i).loadUnaligned(as: SIMD8<Float>.self)
        va.replace(with: 0, where: vm .<= 0)
      }
      let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
      sumA += va
      sumAB += va * (vb - c)
      i += 8
    }
    var (totalA, totalAB) = (Double(sumA.sum()), Double(sumAB.sum()))
    while i < count {
      let ai = mask.map { $0[i] > 0 ? a[i] : 0 } ?? a[i]
      totalA += Double(ai)
      totalAB += Double(ai) * Double(b[i] - centre)
      i += 1
    }
    return (totalA, totalAB)
  }
}
