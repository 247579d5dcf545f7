// Conv2D: 2-D convolution (cross-correlation, as in every framework) by im2col + sgemm.
// N = batch, C = input channels, O = output channels, H×W = input size, kH×kW = kernel,
// s = stride, H'×W' = output size, K = C·kH·kW, P = H'·W', G = images per sgemm.
//
// The batch is computed in tiles (ConvolutionTiling.swift): G small images (FashionNet's
// 28×28) side by side, [O, K] × [K, G·P], since thin products are slow; or bands of output
// rows of one big image (U-Net's 256×256) whose columns stay in cache, the product landing
// in the output directly. The tiles are shared between the cores, each worker with its own
// workspaces and single-threaded BLAS. 1×1 stride-1 unpadded kernels skip im2col: the image
// itself is the column matrix. Backward unfolds again rather than keeping the columns of the
// whole batch (K·N·P floats, 300 MB for one U-Net layer at batch 8). On a CPU with AVX2/FMA
// forward's products go to the packed product of the widest instruction set the process runs
// (ConvolutionKernels.swift), on filters laid out once per change of the weights, not sgemm.
import NeuronaAVX2
import NeuronaKernels

/// A 2-D convolution layer with an optional bias.
///
/// `[N, C, H, W] → [N, O, H', W']`, H' = (H + padTop + padBottom − kH) / s + 1 (likewise W'),
/// `y[n, o] = b[o] + Σ_c w[o, c] ⋆ x[n, c]`. `weight` is `[O, C, kH, kW]` and `bias` `[O]`,
/// as in PyTorch's `Conv2d`.
public final class Conv2D: Layer {
  /// `[O, C, kH, kW]`.
  public let weight: Parameter
  /// `[O]`, or nil for a convolution without bias (e.g. before batch normalisation).
  public let bias: Parameter?
  /// s, along both axes.
  public let stride: Int
  /// The zero padding around the input.
  public let padding: Padding
  /// For images with fewer output pixels than this, several images share one sgemm so that
  /// it has at least this many columns (see ConvolutionTiling.swift). 1 disables grouping.
  public var minimumColumnsPerGEMM = 4096
  /// For big images, the most floats of im2col columns unfolded at once: an image is cut into
  /// bands of output rows so its columns stay in cache between im2col and sgemm.
  public var columnBudget = 1 << 18
  /// Whether tiles are shared between the cores (`ComputeThreads.workers` workers, each
  /// with single-threaded BLAS) rather than computed one by one with multithreaded BLAS.
  public var parallelTiles = true
  /// Whether 3×3 stride-1 convolutions with enough channels are computed by Winograd's
  /// F(4×4, 3×3) (NeuronaKernels/Winograd.swift: 4× fewer multiply-adds) rather than im2col,
  /// forward and for backward's ∂x (∂W always by im2col); off, the reference path it is
  /// tested against. Only on CPUs with AVX2 and FMA.
  public var usesWinograd = true
  /// Whether the other stride-1 convolutions (not 1×1 unpadded) are computed straight from
  /// the padded input (ConvolutionDirect.swift) rather than by im2col, in forward; off, the
  /// reference path it is tested against. Only on CPUs with AVX2 and FMA.
  public var usesDirectConvolution = true
  /// Whether backward computes ∂x. A network's first layer can turn it off (its input is
  /// the data, which nothing learns): backward then skips that product and col2im and
  /// returns zeros, as PyTorch skips inputs that do not require a gradient.
  public var computesInputGradient = true

  /// The input of the last training forward pass (backward unfolds it again).
  private var input = Tensor(zeros: [0])
  /// One set of scratch buffers per worker.
  var workspaces: [TileWorkspace] = []
  /// The Winograd path's scratch, per worker; its transformed filters for forward (kept
  /// while the weights stay the same) and for ∂x.
  var winogradSpaces: [WinogradWorkspace] = []
  let winogradWeights = DerivedWeights()
  let winogradGradientWeights = Workspace()
  /// The filters turned by 180° with their channels swapped, `[C, O, kH, kW]`: ∂x of a
  /// stride-1 convolution is the convolution of ∂y with them (the Winograd paths).
  let turnedWeights = Workspace()
  /// The F(2×2) path's transformed filters for forward (kept while the weights stay the same)
  /// and for ∂x (ConvolutionWinograd2x2.swift).
  let winograd2x2Weights = DerivedWeights()
  let winograd2x2GradientWeights = Workspace()
  /// The weights laid out by PackedProduct.pack, kept while they stay the same.
  private let packedWeights = DerivedWeights()

  /// A worker's scratch memory, allocated once and reused.
  final class TileWorkspace {
    /// `[K, width]`: unfolded windows, then their gradient in backward.
    let columns = Workspace()
    /// `[O, width]`: a group's output (forward) or output gradient (backward).
    let staging = Workspace()
    /// `[O, K]`: this worker's share of ∂W (worker 0 adds into the parameter directly).
    let weightGradient = Workspace()
  }

  /// A convolution from `inputChannels` to `outputChannels` with a square kernel and seeded
  /// initial weights (fan-in C·k·k, fan-out O·k·k).
  public init(
    _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1,
    padding: Padding = .valid, bias: Bool = true, initializer: Initializer = .heNormal,
    using generator: inout some RandomNumberGenerator
  ) {
    precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0)
    let area = kernelSize * kernelSize
    weight = Parameter(
      initializer.make(
        shape: [outputChannels, inputChannels, kernelSize, kernelSize],
        fanIn: inputChannels * area, fanOut: outputChannels * area, using: &generator))
    self.bias = bias ? Parameter(Tensor(zeros: [outputChannels]), role: .bias) : nil
    self.stride = stride
    self.padding = padding
  }

  /// A convolution with the given weights `[O, C, kH, kW]` and bias `[O]` (or none).
  public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Padding = .valid) {
    precondition(weight.rank == 4 && stride > 0, "Conv2D weight must be [O, C, kH, kW]")
    precondition(bias == nil || bias?.shape == [weight.shape[0]], "Conv2D bias must be [O]")
    self.weight = Parameter(weight)
    self.bias = bias.map { Parameter($0, role: .bias) }
    self.stride = stride
    self.padding = padding
  }

  /// O.
  public var outputChannels: Int { weight.value.shape[0] }
  /// C.
  public var inputChannels: Int { weight.value.shape[1] }
  /// kH, kW.
  public var kernelSize: (height: Int, width: Int) {
    (weight.value.shape[2], weight.value.shape[3])
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
  }

  /// The window sweep for an input `[N, C, H, W]`.
  public func geometry(forInput shape: [Int]) -> ConvolutionGeometry {
    precondition(
      shape.count == 4 && shape[1] == inputChannels,
      "Conv2D(\(inputChannels)→\(outputChannels)) needs [N, \(inputChannels), H, W], got \(shape)")
    let (kH, kW) = kernelSize
    let pad = padding.amounts(
      height: shape[2], width: shape[3], kernelHeight: kH, kernelWidth: kW, stride: stride)
    precondition(
      min(pad.top, pad.left, pad.bottom, pad.right) >= 0, "Conv2D: negative padding \(padding)")
    let outH = (shape[2] + pad.top + pad.bottom - kH) / stride + 1
    let outW = (shape[3] + pad.left + pad.right - kW) / stride + 1
    precondition(
      shape[2] + pad.top + pad.bottom >= kH && shape[3] + pad.left + pad.right >= kW,
      "Conv2D: input \(shape) is smaller than the \(kH)×\(kW) kernel")
    return ConvolutionGeometry(
      channels: inputChannels, height: shape[2], width: shape[3], kernelHeight: kH,
      kernelWidth: kW, stride: stride, padTop: pad.top, padLeft: pad.left,
      outputHeight: outH, outputWidth: outW)
  }

  /// Whether the image itself is the column matrix (1×1 kernel, stride 1, no padding).
  public func isPointwise(_ g: ConvolutionGeometry) -> Bool {
    g.kernelHeight == 1 && g.kernelWidth == 1 && g.stride == 1 && g.padTop == 0
      && g.padLeft == 0 && g.outputHeight == g.height && g.outputWidth == g.width
  }

  /// The workspaces of `workers` workers, created on first use.
  func workspaces(_ workers: Int) -> [TileWorkspace] {
    while workspaces.count < workers { workspaces.append(TileWorkspace()) }
    return workspaces
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    if mode == .training { self.input = input }
    return forward(input, epilogue: biasEpilogue)
  }

  /// Forward for training with `epilogue` (the bias and a ReLU: TrainingFusion.swift),
  /// keeping the input for backward.
  func trainingForward(_ input: Tensor, epilogue: ConvolutionEpilogue) -> Tensor {
    self.input = input
    return forward(input, epilogue: epilogue)
  }

  /// The epilogue that adds the bias (none without one).
  public var biasEpilogue: ConvolutionEpilogue {
    ConvolutionEpilogue(shift: bias?.value.scalars)
  }

  /// The convolution with `epilogue` applied to each output channel as it is computed (the
  /// bias, and at inference a folded batch normalisation and ReLU: InferenceFusion.swift).
  /// Keeps nothing for backward.
  public func forward(_ input: Tensor, epilogue: ConvolutionEpilogue) -> Tensor {
    let g = geometry(forInput: input.shape)
    let (n, o) = (input.shape[0], outputChannels)
    // The Winograd paths' epilogues know ReLU only: ReLU6 and hard-swish go to the others.
    if epilogue.winogradCanApply && winogradApplies(toInput: input.shape) {
      return winogradForward(input, g, epilogue: epilogue)
    }
    guard n > 0 else { return Tensor(zeros: [0, o, g.outputHeight, g.outputWidth]) }
    if epilogue.winogradCanApply && winograd2x2Applies(toInput: input.shape) {
      return winograd2x2Forward(input, g, epilogue: epilogue, pooled: false)
    }
    if directApplies(to: g) { return directForward(input, g, epilogue: epilogue) }
    if let shares = pointwiseChannelShares(batch: n, g) {
      return pointwiseForwardByChannels(input, g, shares: shares, epilogue: epilogue)
    }
    let tiles =
      pointwiseBands(batch: n, g)
      ?? self.tiles(batch: n, geometry: g, workers: ComputeThreads.workers)
    let workers = workerCount(for: tiles, g)
    let spaces = workspaces(workers)
    let packed = packedWeightsForKernels(depth: g.patchSize)
    return Tensor(uninitializedShape: [n, o, g.outputHeight, g.outputWidth]) { y in
      input.withUnsafeBufferPointer { x in
        weight.value.withUnsafeBufferPointer { w in
          let (x, w, y) = (x.baseAddress!, w.baseAddress!, y.baseAddress!)
          ComputeThreads.parallel(workers) { worker in
            let share = tiles.count / workers
            for tile in tiles[(worker * share)..<((worker + 1) * share)] {
              forwardTile(tile, g, x, w, packed, y, epilogue, spaces[worker])
            }
          }
        }
      }
    }
  }

  /// For a pointwise convolution of one image whose plane is smaller than its filter bank
  /// (P < O: the 7×7 and 14×14 maps of MobileNet-style networks, where the filters are the
  /// larger operand), the output channels split between the workers in whole panels of the
  /// packed filters: each worker streams its share of the filters over the whole image, where
  /// bands of rows would each stream all the filters for a few columns (3× slower than one
  /// core, measured on EfficientNet's 7×7 layers). Nil where bands or tiles serve better.
  private func pointwiseChannelShares(batch n: Int, _ g: ConvolutionGeometry) -> [Range<Int>]? {
    let workers = ComputeThreads.workers
    let panels = (outputChannels + 5) / 6
    guard isPointwise(g), CPUFeatures.hasAVX2AndFMA, parallelTiles, workers > 1, n == 1,
      g.outputArea < outputChannels, panels >= workers,
      g.outputArea * g.channels * outputChannels >= 1 << 19
    else { return nil }
    return (0..<workers).map { ($0 * panels / workers)..<(($0 + 1) * panels / workers) }
  }

  /// Forward of one image by `shares` of the filters' six-row panels, one share per worker.
  private func pointwiseForwardByChannels(
    _ input: Tensor, _ g: ConvolutionGeometry, shares: [Range<Int>],
    epilogue: ConvolutionEpilogue
  ) -> Tensor {
    let (o, k, p) = (outputChannels, g.patchSize, g.outputArea)
    let packed = packedWeightsForKernels(depth: k)!
    return Tensor(uninitializedShape: [1, o, g.outputHeight, g.outputWidth]) { y in
      input.withUnsafeBufferPointer { x in
        let (x, y) = (x.baseAddress!, y.baseAddress!)
        ComputeThreads.parallel(shares.count) { worker in
          let first = shares[worker].lowerBound * 6
          let rows = Swift.min(shares[worker].upperBound * 6, o) - first
          // Panel q of the packed filters starts 6·q·K floats in.
          ConvolutionKernels.active.packedProduct(
            packed + first * k, rows, k, x, p, p, y + first * p, p)
          for channel in first..<(first + rows) {
            epilogue.apply(y + channel * p, count: p, channel: channel)
          }
        }
      }
    }
  }

  /// For a pointwise convolution of fewer images than workers, on the packed kernel (which,
  /// unlike sgemm, does not share one product between the cores), each image cut into one band
  /// of output rows per worker, when there is enough work (P·C·O ≥ 2¹⁹ multiply-adds, about
  /// 12 µs on one core, against a hand-over of a few); else nil.
  /// Forward only: backward's products take whole images.
  private func pointwiseBands(batch n: Int, _ g: ConvolutionGeometry) -> [ConvolutionTile]? {
    let workers = ComputeThreads.workers
    guard isPointwise(g), CPUFeatures.hasAVX2AndFMA, parallelTiles, workers > 1, n < workers,
      g.outputHeight >= workers, g.outputArea * g.channels * outputChannels >= 1 << 19
    else { return nil }
    return (0..<n).flatMap { image in
      (0..<workers).map { band in
        ConvolutionTile(
          first: image, count: 1,
          rows: (band * g.outputHeight / workers)..<((band + 1) * g.outputHeight / workers))
      }
    }
  }

  /// The weights laid out by PackedProduct.pack (once per change of the weights),
  /// or nil on a CPU without AVX2/FMA, where the products go to sgemm.
  func packedWeightsForKernels(depth k: Int) -> UnsafePointer<Float>? {
    guard CPUFeatures.hasAVX2AndFMA else { return nil }
    let count = PackedProduct.packedCount(rows: outputChannels, depth: k)
    let packed = packedWeights.get(count, from: weight) { packed in
      weight.value.withUnsafeBufferPointer { w in
        PackedProduct.pack(w.baseAddress!, rows: outputChannels, depth: k, into: packed)
      }
    }
    return UnsafePointer(packed)
  }

  /// One tile of forward: unfold, [O, K] × [K, width], epilogue.
  private func forwardTile(
    _ tile: ConvolutionTile, _ g: ConvolutionGeometry, _ x: UnsafePointer<Float>,
    _ w: UnsafePointer<Float>, _ packed: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
    _ epilogue: ConvolutionEpilogue, _ space: TileWorkspace
  ) {
    let (o, p, width) = (outputChannels, g.outputArea, tile.width(g))
    let columns = isPointwise(g) ? nil : space.columns.reserve(g.patchSize * width)
    let images = x + tile.first * g.channels * g.imageArea
    // A pointwise band reads its rows of the image in place, rows of B one plane apart.
    let (b, rowStrideB) =
      columns == nil && tile.count == 1
      ? (images + tile.rows.lowerBound * g.width, g.imageArea)
      : (unfoldTile(images, tile, g, into: columns), width)
    let target = y + tile.first * o * p + tile.rows.lowerBound * g.outputWidth
    // [O, K] × [K, width] into `c`, rows `rowStride` apart.
    func product(into c: UnsafeMutablePointer<Float>, rowStride: Int) {
      if let packed {
        ConvolutionKernels.active.packedProduct(
          packed, o, g.patchSize, b, rowStrideB, width, c, rowStride)
      } else {
        GEMM.multiply(
          w, b, into: c, m: o, n: width, k: g.patchSize, rowStrideB: rowStrideB,
          rowStrideC: rowStride)
      }
    }
    if tile.count > 1 {
      // [O, K] × [K, G·P] → [O, G·P], then to [G, O, P] through the epilogue.
      let staging = space.staging.reserve(o * width)
      product(into: staging, rowStride: width)
      scatter(staging, count: tile.count, area: p, into: target, epilogue)
    } else {
      // [O, K] × [K, band] → the band's columns of y[n] as [O, P], then the epilogue on
      // them while they are in cache.
      product(into: target, rowStride: p)
      for channel in 0..<o { epilogue.apply(target + channel * p, count: width, channel: channel) }
    }
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let g = geometry(forInput: input.shape)
    let (n, o, k) = (input.shape[0], outputChannels, g.patchSize)
    precondition(
      outputGradient.shape == [n, o, g.outputHeight, g.outputWidth],
      "Conv2D backward: gradient \(outputGradient.shape) does not match the output")
    guard n > 0 else { return Tensor(zeros: input.shape) }
    // ∂x by Winograd F(4×4) or F(2×2) (ConvolutionWinograd{,2x2}.swift), or from the column
    // gradients below.
    let byWinograd = winogradAppliesToInputGradient(ofInput: input.shape)
    let byWinograd2x2 = !byWinograd && winograd2x2AppliesToInputGradient(ofInput: input.shape)
    let columnGradient = computesInputGradient && !byWinograd && !byWinograd2x2
    if let bias {
      outputGradient.withUnsafeBufferPointer { dy in
        Conv2D.addChannelSums(dy.baseAddress!, n: n, c: o, area: g.outputArea, into: bias)
      }
    }
    // ∂W in Winograd's domain (ConvolutionWinograd{,2x2}.swift), or from the columns below.
    let weightsByF4 = winogradAppliesToWeightGradient(ofInput: input.shape)
    let weightsByF2 = !weightsByF4 && winograd2x2AppliesToWeightGradient(ofInput: input.shape)
    let weightsByWinograd = weightsByF4 || weightsByF2
    if weightsByWinograd {
      if weightsByF4 {
        winogradAddWeightGradient(input, outputGradient, g)
      } else {
        winograd2x2AddWeightGradient(input, outputGradient, g)
      }
      if !columnGradient {
        guard computesInputGradient else { return Tensor(zeros: input.shape) }
        return byWinograd
          ? winogradInputGradient(outputGradient, g) : winograd2x2InputGradient(outputGradient, g)
      }
    }
    var inputGradient = Tensor(zeros: byWinograd || byWinograd2x2 ? [1] : input.shape)
    let tiles =
      columnGradient
      ? self.tiles(batch: n, geometry: g, workers: ComputeThreads.workers)
      : weightGradientTiles(batch: n, geometry: g, workers: ComputeThreads.workers)
    let workers = workerCount(for: tiles, g)
    let spaces = workspaces(workers)
    input.withUnsafeBufferPointer { x in
      outputGradient.withUnsafeBufferPointer { dy in
        weight.value.withUnsafeBufferPointer { w in
          weight.gradient.withUnsafeMutableBufferPointer { dw in
            inputGradient.withUnsafeMutableBufferPointer { dx in
              let (x, dy, w, dx) = (
                x.baseAddress!, dy.baseAddress!, w.baseAddress!, dx.baseAddress!
              )
              ComputeThreads.parallel(workers) { worker in
                // Worker 0 adds into ∂W; the others into their own [O, K], summed below.
                let partial =
                  worker == 0 ? dw.baseAddress! : spaces[worker].weightGradient.reserve(o * k)
                if worker > 0 { partial.update(repeating: 0, count: o * k) }
                let share = tiles.count / workers
                // The others go backwards and leave their first tile's col2im for later: it
                // may touch the input rows of the previous worker's last band.
                let mine = tiles[(worker * share)..<((worker + 1) * share)]
                for tile in worker == 0 ? Array(mine) : mine.reversed() {
                  let deferred = worker > 0 && tile == mine.first
                  backwardTile(
                    tile, g, x, dy, w, partial, dx, spaces[worker],
                    weightGradient: !weightsByWinograd, columnGradient: columnGradient,
                    fold: !deferred)
                }
              }
              for worker in 1..<Swift.max(workers, 1) {
                let tile = tiles[worker * (tiles.count / workers)]
                if columnGradient, !isPointwise(g) {
                  let columns = spaces[worker].columns.reserve(0)
                  foldTile(columns, tile, g, into: dx + tile.first * g.channels * g.imageArea)
                }
                guard !weightsByWinograd else { continue }
                let partial = spaces[worker].weightGradient.reserve(o * k)
                for i in 0..<(o * k) { dw[i] += partial[i] }
              }
            }
          }
        }
      }
    }
    if byWinograd { return winogradInputGradient(outputGradient, g) }
    return byWinograd2x2 ? winograd2x2InputGradient(outputGradient, g) : inputGradient
  }

  /// One tile of backward: if `weightGradient` ∂W += ∂Y·colsᵀ into `dw`, then if
  /// `columnGradient` ∂cols = Wᵀ·∂Y, folded into ∂x if `fold`.
  private func backwardTile(
    _ tile: ConvolutionTile, _ g: ConvolutionGeometry, _ x: UnsafePointer<Float>,
    _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, _ space: TileWorkspace, weightGradient: Bool,
    columnGradient: Bool, fold: Bool
  ) {
    let (o, p, k, width) = (outputChannels, g.outputArea, g.patchSize, tile.width(g))
    let imageOffset = tile.first * g.channels * g.imageArea
    let columns = isPointwise(g) ? nil : space.columns.reserve(k * width)
    var gradient = dy + tile.first * o * p + tile.rows.lowerBound * g.outputWidth
    var stride = p
    if tile.count > 1 {
      let staging = space.staging.reserve(o * width)
      gatherGroup(gradient, count: tile.count, area: p, into: staging)
      (gradient, stride) = (UnsafePointer(staging), width)
    }
    if weightGradient {
      // ∂W += ∂Y·colsᵀ: [O, width] × [width, K] → [O, K].
      let b = unfoldTile(x + imageOffset, tile, g, into: columns)
      GEMM.multiply(
        gradient, b, transposeB: true, into: dw, m: o, n: k, k: width, beta: 1,
        rowStrideA: stride)
    }
    guard columnGradient else { return }
    // ∂cols = Wᵀ·∂Y: [K, O] × [O, width] → [K, width], folded back into ∂x (written straight
    // into ∂x when pointwise: each image's gradient is one product).
    GEMM.multiply(
      w, transposeA: true, gradient, into: columns ?? (dx + imageOffset), m: k, n: width, k: o,
      rowStrideB: stride)
    if fold, let columns { foldTile(columns, tile, g, into: dx + imageOffset) }
  }

  // MARK: - Helpers of the hot path

  /// The turned filters `[C, O, kH, kW]`: W'[c, o, i, j] = W[o, c, kH − 1 − i, kW − 1 − j].
  func turnWeights() -> UnsafeMutablePointer<Float> {
    let (o, c, (kh, kw)) = (outputChannels, inputChannels, kernelSize)
    let area = kh * kw
    let turned = turnedWeights.reserve(c * o * area)
    weight.value.withUnsafeBufferPointer { w in
      for out in 0..<o {
        for channel in 0..<c {
          let (source, target) = (
            w.baseAddress! + (out * c + channel) * area, turned + (channel * o + out) * area
          )
          for tap in 0..<area { target[tap] = source[area - 1 - tap] }
        }
      }
    }
    return turned
  }

  /// Unfolds a tile into `columns` `[K, width]`: `count` images side by side, or the band
  /// `rows` of one image. Returns the column matrix (the image itself when pointwise, where
  /// `columns` is nil).
  private func unfoldTile(
    _ images: UnsafePointer<Float>, _ tile: ConvolutionTile, _ g: ConvolutionGeometry,
    into columns: UnsafeMutablePointer<Float>?
  ) -> UnsafePointer<Float> {
    guard let columns else { return images }
    let (width, rows) = (tile.width(g), tile.rows)
    for i in 0..<tile.count {
      Im2Col.unfold(
        images + i * g.channels * g.imageArea, g, into: columns + i * g.outputArea,
        rowStride: width, outputRows: rows)
    }
    return UnsafePointer(columns)
  }

  /// Adds a tile's column gradients `[K, width]` into the input gradients of its images.
  private func foldTile(
    _ columns: UnsafeMutablePointer<Float>, _ tile: ConvolutionTile, _ g: ConvolutionGeometry,
    into images: UnsafeMutablePointer<Float>
  ) {
    let (width, rows) = (tile.width(g), tile.rows)
    for i in 0..<tile.count {
      Im2Col.fold(
        columns + i * g.outputArea, rowStride: width, g,
        into: images + i * g.channels * g.imageArea, outputRows: rows)
    }
  }

  /// `[O, G·P]` → `[G, O, P]`, through the epilogue.
  private func scatter(
    _ staging: UnsafeMutablePointer<Float>, count: Int, area: Int,
    into target: UnsafeMutablePointer<Float>, _ epilogue: ConvolutionEpilogue
  ) {
    let o = outputChannels
    for channel in 0..<o {
      for i in 0..<count {
        let destination = target + (i * o + channel) * area
        destination.update(from: staging + (channel * count + i) * area, count: area)
        epilogue.apply(destination, count: area, channel: channel)
      }
    }
  }

  /// `[G, O, P]` → `[O, G·P]`: the output gradient of a group laid out as the product's.
  private func gatherGroup(
    _ gradient: UnsafePointer<Float>, count: Int, area: Int,
    into staging: UnsafeMutablePointer<Float>
  ) {
    let o = outputChannels
    for channel in 0..<o {
      for i in 0..<count {
        (staging + (channel * count + i) * area).update(
          from: gradient + (i * o + channel) * area, count: area)
      }
    }
  }

  /// ∂b[c] += Σ_{n, q} ∂y[n, c, q] for `dy` `[N, C, area]` (shared with ConvTranspose2D).
  static func addChannelSums(
    _ dy: UnsafePointer<Float>, n: Int, c: Int, area: Int, into bias: Parameter
  ) {
    bias.gradient.withUnsafeMutableBufferPointer { db in
      for image in 0..<n {
        for channel in 0..<c {
          db[channel] += Reduction.sum(dy + (image * c + channel) * area, area)
        }
      }
    }
  }
}
