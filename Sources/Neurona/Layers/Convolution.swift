// Conv2D: 2-D convolution (cross-correlation, as in every framework) by im2col + sgemm.
// N = batch, C = input channels, O = output channels, H×W = input size, kH×kW = kernel,
// s = stride, H'×W' = output size, K = C·kH·kW, P = H'·W', G = images per sgemm.
//
// Small images (FashionNet's 28×28) make thin matrices, on which sgemm is slow; so G images
// are unfolded side by side and multiplied at once: [O, K] × [K, G·P]. Big images (U-Net's
// 256×256) already give wide matrices: G = 1 and the product lands in the output directly.
// 1×1 stride-1 unpadded kernels skip im2col: the image itself is the column matrix.
// Backward unfolds again rather than keeping the columns of the whole batch (K·N·P floats,
// 300 MB for one U-Net layer at batch 8); unfolding is cheap next to the products.

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
  /// it has at least this many columns (see the file header). 1 disables the grouping.
  public var minimumColumnsPerGEMM = 4096
  /// For big images, the most floats of im2col columns unfolded at once: an image is cut into
  /// bands of output rows so its columns stay in cache between im2col and sgemm.
  public var columnBudget = 1 << 18

  /// The input of the last training forward pass (backward unfolds it again).
  private var input = Tensor(zeros: [0])
  /// `[K, G·P]`: unfolded windows, then their gradient in backward.
  private let columns = Workspace()
  /// `[O, G·P]`: the output (forward) or its gradient (backward) of a group of images.
  private let staging = Workspace()

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
  public var kernelSize: (height: Int, width: Int) { (weight.value.shape[2], weight.value.shape[3]) }

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

  /// G: how many images of a batch of `batch` share one sgemm.
  public func imagesPerGEMM(batch: Int, geometry g: ConvolutionGeometry) -> Int {
    if isPointwise(g) || g.outputArea >= minimumColumnsPerGEMM { return 1 }
    return Swift.max(1, Swift.min(batch, (minimumColumnsPerGEMM + g.outputArea - 1) / g.outputArea))
  }

  /// The pieces a batch is computed in, each one sgemm (or three in backward): `count`
  /// images from `first` side by side (small images), or output rows `rows` of one image
  /// (big images, cut into bands whose columns fit `columnBudget`).
  public func tiles(batch: Int, geometry g: ConvolutionGeometry)
    -> [(first: Int, count: Int, rows: Range<Int>)]
  {
    let all = 0..<g.outputHeight
    let group = imagesPerGEMM(batch: batch, geometry: g)
    if group > 1 || isPointwise(g) {
      return Swift.stride(from: 0, to: batch, by: group).map {
        ($0, Swift.min(group, batch - $0), all)
      }
    }
    let widest = Swift.max(1, columnBudget / (g.patchSize * g.outputWidth))
    let narrowest = (minimumColumnsPerGEMM + g.outputWidth - 1) / g.outputWidth
    let height = Swift.min(g.outputHeight, Swift.max(widest, narrowest))
    return (0..<batch).flatMap { image in
      Swift.stride(from: 0, to: g.outputHeight, by: height).map {
        (image, 1, $0..<Swift.min($0 + height, g.outputHeight))
      }
    }
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let g = geometry(forInput: input.shape)
    let (n, o, p) = (input.shape[0], outputChannels, g.outputArea)
    if mode == .training { self.input = input }
    let tiles = self.tiles(batch: n, geometry: g)
    let widest = tiles.map { $0.count * $0.rows.count * g.outputWidth }.max() ?? 0
    let columns = isPointwise(g) ? nil : self.columns.reserve(g.patchSize * widest)
    let staging = tiles.contains { $0.count > 1 } ? self.staging.reserve(o * widest) : nil
    let output = Tensor(uninitializedShape: [n, o, g.outputHeight, g.outputWidth]) { y in
      input.withUnsafeBufferPointer { x in
        weight.value.withUnsafeBufferPointer { w in
          for tile in tiles {
            let image = x.baseAddress! + tile.first * g.channels * g.imageArea
            let b = unfoldTile(image, tile.count, tile.rows, g, into: columns)
            let width = tile.count * tile.rows.count * g.outputWidth
            let target = y.baseAddress! + tile.first * o * p + tile.rows.lowerBound * g.outputWidth
            if tile.count > 1, let staging {
              // [O, K] × [K, G·P] → [O, G·P], then to [G, O, P] adding the bias.
              GEMM.multiply(w.baseAddress!, b, into: staging, m: o, n: width, k: g.patchSize)
              scatterAddingBias(staging, count: tile.count, area: p, into: target)
            } else {
              // [O, K] × [K, band] → the band's columns of y[n] as [O, P].
              fillBias(target, width: width, rowStride: p)
              GEMM.multiply(
                w.baseAddress!, b, into: target, m: o, n: width, k: g.patchSize,
                beta: bias == nil ? 0 : 1, rowStrideC: p)
            }
          }
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let g = geometry(forInput: input.shape)
    let (n, o, p, k) = (input.shape[0], outputChannels, g.outputArea, g.patchSize)
    precondition(
      outputGradient.shape == [n, o, g.outputHeight, g.outputWidth],
      "Conv2D backward: gradient \(outputGradient.shape) does not match the output")
    var inputGradient = Tensor(zeros: input.shape)
    let tiles = self.tiles(batch: n, geometry: g)
    let widest = tiles.map { $0.count * $0.rows.count * g.outputWidth }.max() ?? 0
    let columns = isPointwise(g) ? nil : self.columns.reserve(k * widest)
    let staging = tiles.contains { $0.count > 1 } ? self.staging.reserve(o * widest) : nil
    input.withUnsafeBufferPointer { x in
      outputGradient.withUnsafeBufferPointer { dy in
        if let bias { Conv2D.addChannelSums(dy.baseAddress!, n: n, c: o, area: p, into: bias) }
        weight.value.withUnsafeBufferPointer { w in
          weight.gradient.withUnsafeMutableBufferPointer { dw in
            inputGradient.withUnsafeMutableBufferPointer { dx in
              for tile in tiles {
                let imageOffset = tile.first * g.channels * g.imageArea
                let b = unfoldTile(x.baseAddress! + imageOffset, tile.count, tile.rows, g, into: columns)
                let width = tile.count * tile.rows.count * g.outputWidth
                var gradient = dy.baseAddress! + tile.first * o * p + tile.rows.lowerBound * g.outputWidth
                var stride = p
                if tile.count > 1, let staging {
                  gatherGroup(gradient, count: tile.count, area: p, into: staging)
                  (gradient, stride) = (UnsafePointer(staging), width)
                }
                // ∂W += ∂Y·colsᵀ: [O, band] × [band, K] → [O, K].
                GEMM.multiply(
                  gradient, b, transposeB: true, into: dw.baseAddress!, m: o, n: k, k: width,
                  beta: 1, rowStrideA: stride)
                // ∂cols = Wᵀ·∂Y: [K, O] × [O, band] → [K, band], folded back into ∂x.
                let target = dx.baseAddress! + imageOffset
                GEMM.multiply(
                  w.baseAddress!, transposeA: true, gradient, into: columns ?? target,
                  m: k, n: width, k: o, rowStrideB: stride)
                if let columns { foldTile(columns, tile.count, tile.rows, g, into: target) }
              }
            }
          }
        }
      }
    }
    return inputGradient
  }

  // MARK: - Helpers of the hot path

  /// Unfolds a tile into `columns` `[K, width]`: `count` images side by side, or the band
  /// `rows` of one image. Returns the column matrix (the image itself when pointwise, where
  /// `columns` is nil).
  private func unfoldTile(
    _ images: UnsafePointer<Float>, _ count: Int, _ rows: Range<Int>, _ g: ConvolutionGeometry,
    into columns: UnsafeMutablePointer<Float>?
  ) -> UnsafePointer<Float> {
    guard let columns else { return images }
    let width = count * rows.count * g.outputWidth
    for i in 0..<count {
      Im2Col.unfold(
        images + i * g.channels * g.imageArea, g, into: columns + i * g.outputArea,
        rowStride: width, outputRows: rows)
    }
    return UnsafePointer(columns)
  }

  /// Adds a tile's column gradients `[K, width]` into the input gradients of its images.
  private func foldTile(
    _ columns: UnsafeMutablePointer<Float>, _ count: Int, _ rows: Range<Int>,
    _ g: ConvolutionGeometry, into images: UnsafeMutablePointer<Float>
  ) {
    let width = count * rows.count * g.outputWidth
    for i in 0..<count {
      Im2Col.fold(
        columns + i * g.outputArea, rowStride: width, g,
        into: images + i * g.channels * g.imageArea, outputRows: rows)
    }
  }

  /// Writes b[o] into the first `width` elements of row o of `target` (rows `rowStride`
  /// apart), before a β = 1 product.
  private func fillBias(_ target: UnsafeMutablePointer<Float>, width: Int, rowStride: Int) {
    guard let bias else { return }
    bias.value.withUnsafeBufferPointer { b in
      for o in 0..<b.count { (target + o * rowStride).update(repeating: b[o], count: width) }
    }
  }

  /// `[O, G·P]` → `[G, O, P]`, adding b[o] on the way.
  private func scatterAddingBias(
    _ staging: UnsafeMutablePointer<Float>, count: Int, area: Int,
    into target: UnsafeMutablePointer<Float>
  ) {
    let o = outputChannels
    for channel in 0..<o {
      let shift = bias?.value.scalars[channel] ?? 0
      for i in 0..<count {
        let source = staging + (channel * count + i) * area
        let destination = target + (i * o + channel) * area
        for q in 0..<area { destination[q] = source[q] + shift }
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
          let plane = dy + (image * c + channel) * area
          var total: Float = 0
          for q in 0..<area { total += plane[q] }
          db[channel] += total
        }
      }
    }
  }
}
