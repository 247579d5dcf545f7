// Conv2D's F(2×2, 3×3) path (NeuronaKernels/Winograd2x2.swift) for 3×3 "same" convolutions of
// small images with enough channels — Fashion-MNIST's 14×14 layer — where F(4×4)'s tiles
// would waste a third of the image: forward, pooled or not, and in training ∂x (the turned
// filters' convolution of ∂y, as on the F(4×4) path) and ∂W in F(2×2)'s domain
// (Winograd2x2WeightGradient.swift). The batch goes in groups of images, each worker padding
// its group into its own buffer.
import NeuronaKernels

extension Conv2D {
  /// Whether an input of this shape is convolved by F(2×2, 3×3): `pooled` (then floor sizes
  /// are fine) or not (then H and W are even); F(4×4) does not take it.
  public func winograd2x2Applies(toInput shape: [Int], pooled: Bool = false) -> Bool {
    guard usesWinograd, shape.first != 0, !winogradApplies(toInput: shape) else { return false }
    let g = geometry(forInput: shape)
    return Conv2D.winograd2x2Applies(to: g, outputs: outputChannels)
      && (pooled || (g.height % 2 == 0 && g.width % 2 == 0))
  }

  /// Whether backward computes ∂x for an input of this shape by F(2×2, 3×3): the turned
  /// convolution, ∂y's O channels into C, is one the path takes.
  func winograd2x2AppliesToInputGradient(ofInput shape: [Int]) -> Bool {
    guard usesWinograd, computesInputGradient, shape.first != 0,
      !winogradAppliesToInputGradient(ofInput: shape)
    else { return false }
    var turned = geometry(forInput: shape)
    turned.channels = outputChannels
    return Conv2D.winograd2x2Applies(to: turned, outputs: inputChannels)
      && turned.height % 2 == 0 && turned.width % 2 == 0
  }

  /// The CPU runs the AVX2 kernels; 3×3, stride 1, padded by 1 all round; enough input
  /// channels for the products (their depth) and outputs for a panel; a padded image of at
  /// most 256 KB (the group of images is padded whole).
  static func winograd2x2Applies(to g: ConvolutionGeometry, outputs: Int) -> Bool {
    CPUFeatures.hasAVX2AndFMA && g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1
      && g.padTop == 1 && g.padLeft == 1 && g.outputHeight == g.height
      && g.outputWidth == g.width && g.height >= 2 && g.width >= 2 && g.channels >= 8
      && outputs >= 6 && g.channels * (g.height + 2) * (g.width + 2) <= 1 << 16
  }

  func winograd2x2Forward(
    _ input: Tensor, _ g: ConvolutionGeometry, epilogue: ConvolutionEpilogue, pooled: Bool
  ) -> Tensor {
    let (o, c) = (outputChannels, inputChannels)
    let count = Winograd2x2.weightCount(outputs: o, channels: c)
    let u = winograd2x2Weights.get(count, from: weight) { u in
      weight.value.withUnsafeBufferPointer { w in
        Winograd2x2.transformWeights(w.baseAddress!, outputs: o, channels: c, into: u)
      }
    }
    return winograd2x2Convolve(input, g, outputs: o, u: u, epilogue: epilogue, pooled: pooled)
  }

  /// ∂x `[N, C, H, W]` for the output gradient `dy` `[N, O, H, W]`.
  func winograd2x2InputGradient(_ dy: Tensor, _ g: ConvolutionGeometry) -> Tensor {
    let (o, c) = (outputChannels, inputChannels)
    let u = winograd2x2GradientWeights.reserve(Winograd2x2.weightCount(outputs: c, channels: o))
    Winograd2x2.transformWeights(turnWeights(), outputs: c, channels: o, into: u)
    var turned = g
    turned.channels = o
    return winograd2x2Convolve(
      dy, turned, outputs: c, u: u, epilogue: ConvolutionEpilogue(), pooled: false)
  }

  /// The layout of padBand's whole-image bands for `g` (planes of H + 2 rows of W + 2), with
  /// units as wide as the active kernels' vectors allow.
  private func winograd2x2Layout(_ g: ConvolutionGeometry) -> Winograd2x2.Layout {
    let wp = g.width + 2
    let lanes = Winograd2x2.unitLanes(
      tilesPerRow: g.width / 2, widest: ConvolutionKernels.active.lanes)
    return Winograd2x2.Layout(
      channels: g.channels, imageStride: g.channels * (g.height + 2) * wp,
      planeStride: (g.height + 2) * wp, paddedWidth: wp, tileRows: g.height / 2,
      tilesPerRow: g.width / 2, lanes: lanes)
  }

  /// Pads the batch's `images` of `x` whole into `padded` as `layout` lays them out, then
  /// zeroes the slack the last unit reads past them.
  private func padGroup(
    _ x: UnsafePointer<Float>, images: Range<Int>, _ g: ConvolutionGeometry,
    _ layout: Winograd2x2.Layout, into padded: UnsafeMutablePointer<Float>
  ) {
    for (index, image) in images.enumerated() {
      padBand(
        x + image * g.channels * g.imageArea, 0..<g.outputHeight, g,
        into: padded + index * layout.imageStride)
    }
    (padded + images.count * layout.imageStride).update(repeating: 0, count: Winograd2x2.slack)
  }

  /// Whether backward computes ∂W for an input of this shape in F(2×2)'s domain
  /// (NeuronaKernels/Winograd2x2WeightGradient.swift): where forward takes F(2×2) and the
  /// tiles cover the output (H and W even).
  public func winograd2x2AppliesToWeightGradient(ofInput shape: [Int]) -> Bool {
    guard usesWinograd, shape.first != 0, !winogradApplies(toInput: shape) else { return false }
    let g = geometry(forInput: shape)
    return Conv2D.winograd2x2Applies(to: g, outputs: outputChannels) && g.height % 2 == 0
      && g.width % 2 == 0
  }

  /// ∂W += the gradient of the batch `x` `[N, C, H, W]` for the output gradient `dy`
  /// `[N, O, H, W]`, in F(2×2)'s domain: per group of images V and ∂M, then the 16 products
  /// ∂U[ξ] += ∂M[ξ]·V[ξ]ᵀ (sgemm), each worker its own ∂U, summed, then Gᵀ·∂U·G.
  func winograd2x2AddWeightGradient(_ x: Tensor, _ dy: Tensor, _ g: ConvolutionGeometry) {
    let (n, o, c, points) = (x.shape[0], outputChannels, inputChannels, Winograd2x2.points)
    let layout = winograd2x2Layout(g)
    let units = layout.unitsPerImage
    // Groups of images whose V and ∂M (16·(C + O) floats a tile) stay near L2's size.
    let tilesPerImage = units * layout.lanes
    let groupSize = Swift.max(1, (1 << 18) / (points * (c + o) * tilesPerImage))
    let groups = ceilDivide(n, groupSize)
    let sharing = Swift.min(ComputeThreads.workers, groups)
    let stride = groupSize * tilesPerImage
    while winogradSpaces.count < sharing { winogradSpaces.append(WinogradWorkspace()) }
    let spaces = zip(workspaces(sharing), winogradSpaces.prefix(sharing)).map { tile, space in
      (
        padded: tile.columns.reserve(groupSize * layout.imageStride + Winograd2x2.slack),
        v: space.input.reserve(points * c * stride), dm: space.product.reserve(points * o * stride),
        scratch: space.rows.reserve(2 * layout.lanes),
        du: space.weightGradient.reserve(points * o * c)
      )
    }
    let kernel = ConvolutionKernels.active.winograd2x2Gradient
    x.withUnsafeBufferPointer { x in
      dy.withUnsafeBufferPointer { dy in
        let (x, dy) = (x.baseAddress!, dy.baseAddress!)
        ComputeThreads.parallel(sharing) { worker in
          let space = spaces[worker]
          space.du.update(repeating: 0, count: points * o * c)
          for group in Swift.stride(from: worker, to: groups, by: sharing) {
            let first = group * groupSize
            let count = Swift.min(groupSize, n - first)
            padGroup(x, images: first..<(first + count), g, layout, into: space.padded)
            let tiles = count * tilesPerImage
            kernel(
              0..<(count * units), layout, o, space.padded, dy + first * o * g.outputArea,
              space.v, space.dm, stride, space.scratch)
            for xi in 0..<points {
              // ∂U[ξ] += ∂M[ξ]·V[ξ]ᵀ: [O, T] × [T, C].
              GEMM.multiply(
                space.dm + xi * o * stride, space.v + xi * c * stride, transposeB: true,
                into: space.du + xi * o * c, m: o, n: c, k: tiles, beta: 1, rowStrideA: stride,
                rowStrideB: stride)
            }
          }
        }
      }
    }
    let sum = spaces[0].du
    for space in spaces.dropFirst() {
      for i in 0..<(points * o * c) { sum[i] += space.du[i] }
    }
    weight.gradient.withUnsafeMutableBufferPointer { dw in
      Winograd2x2.addWeightGradient(sum, outputs: o, channels: c, into: dw.baseAddress!)
    }
  }

  /// The convolution of `input` (geometry `g`) into `o` channels with transformed weights
  /// `u`, through the epilogue, pooled or not.
  private func winograd2x2Convolve(
    _ input: Tensor, _ g: ConvolutionGeometry, outputs o: Int, u: UnsafePointer<Float>,
    epilogue: ConvolutionEpilogue, pooled: Bool
  ) -> Tensor {
    let (n, c) = (input.shape[0], g.channels)
    let kernels = ConvolutionKernels.active
    let layout = winograd2x2Layout(g)
    let lanes = layout.lanes
    // Groups of images with whole strips (two units each), cut into strip ranges when there
    // are fewer groups than workers.
    let units = layout.unitsPerImage
    let groupSize = units % 2 == 0 ? 1 : 2
    let workers = ComputeThreads.workers
    let groups = ceilDivide(n, groupSize)
    let cuts = groups >= workers ? 1 : ceilDivide(workers, groups)
    let tasks = (0..<groups).flatMap { group -> [(first: Int, count: Int, strips: Range<Int>)] in
      let (first, count) = (group * groupSize, Swift.min(groupSize, n - group * groupSize))
      let strips = ceilDivide(count * units, 2)
      return (0..<cuts).map { cut in
        (first, count, (cut * strips / cuts)..<((cut + 1) * strips / cuts))
      }
    }
    let paddedCount = groupSize * layout.imageStride + Winograd2x2.slack
    let spaces = workspaces(workers).map {
      (
        $0.columns.reserve(paddedCount),
        $0.staging.reserve(Winograd2x2.scratchCount(channels: c, lanes: lanes))
      )
    }
    let last = Winograd.Epilogue(
      scale: epilogue.scale, shift: epilogue.shift, rectifies: epilogue.rectifies)
    let (outH, outW) = pooled ? (layout.tileRows, layout.tilesPerRow) : (g.height, g.width)
    return Tensor(uninitializedShape: [n, o, outH, outW]) { y in
      input.withUnsafeBufferPointer { x in
        let (x, y) = (x.baseAddress!, y.baseAddress!)
        ComputeThreads.parallel(Swift.min(workers, tasks.count)) { worker in
          let (padded, scratch) = spaces[worker]
          for index in Swift.stride(from: worker, to: tasks.count, by: workers) {
            let task = tasks[index]
            padGroup(x, images: task.first..<(task.first + task.count), g, layout, into: padded)
            kernels.winograd2x2(
              task.strips, layout, o, padded, u, last, pooled, y + task.first * o * outH * outW,
              task.count * units, scratch)
          }
        }
      }
    }
  }
}
