// The depthwise convolution with the channels in the vector's lanes, for small planes: a
// block of `lanes` channels is interleaved once into a zero-padded [H + pads][W + pads][lanes]
// buffer, every output pixel is then Σ_t w[t] · (the input vector at its tap's place) — one
// fused multiply-add per tap and pixel with every lane in use, whatever the plane's width and
// the stride — and the block's outputs are put back as planes. Row by row (DepthwiseRows), a
// 7-pixel row fills 7 of 16 lanes and each plane pays its own set-up, which made the 7×7
// layers of EfficientNet-Lite0 several times slower than their arithmetic.
// onnxruntime keeps whole networks in such a layout (NCHWc); here it lives inside the layer.
//
// The interleaving is a square transposition of lanes × lanes floats, done as log₂(lanes)
// rounds of splitting pairs of vectors into their even and odd lanes (each round rotates the
// bits of an element's (row, column) index by one; after log₂(lanes) rounds, row and column
// have swapped).

/// Depthwise convolution of blocks of channels held in the lanes (see the file header).
public enum DepthwiseChannels {
  /// The sizes of one call: the input planes, the kernel, the output planes.
  public struct Geometry: Sendable {
    public let height, width, kernelHeight, kernelWidth, stride, padTop, padLeft: Int
    public let outputHeight, outputWidth: Int

    public init(
      height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padTop: Int,
      padLeft: Int, outputHeight: Int, outputWidth: Int
    ) {
      (self.height, self.width, self.kernelHeight, self.kernelWidth) = (
        height, width, kernelHeight, kernelWidth
      )
      (self.stride, self.padTop, self.padLeft) = (stride, padTop, padLeft)
      (self.outputHeight, self.outputWidth) = (outputHeight, outputWidth)
    }

    /// The padded buffer's size: every tap of every output pixel lands inside it.
    @inlinable public var paddedHeight: Int { (outputHeight - 1) * stride + kernelHeight }
    @inlinable public var paddedWidth: Int {
      Swift.max((outputWidth - 1) * stride + kernelWidth, padLeft + width)
    }

    /// Scratch floats one call needs with vectors of `lanes` floats: the padded block, the
    /// outputs and two squares for the transpositions.
    public func scratchCount(lanes: Int) -> Int {
      let padded = Swift.max(paddedHeight, padTop + height) * paddedWidth
      return lanes * (padded + outputHeight * outputWidth + 2 * lanes)
    }
  }

  /// `blocks` blocks of `lanes` channels, block b's planes at `input + b·lanes·H·W` (and the
  /// same for the output and residual, at P' = H'·W' per plane), with the taps laid out by
  /// `interleaveTaps` and the bias of channel c at `bias[c]`, c counted from the first block's
  /// first channel: out = act(bias + Σ_t taps[t] · xpad[oy·s + i][ox·s + j]) (+ residual).
  @inlinable
  public static func convolve<V: WinogradVector>(
    _: V.Type, blocks: Int, _ g: Geometry, input: UnsafePointer<Float>,
    taps: UnsafePointer<Float>, bias: UnsafePointer<Float>, activation: RowActivation,
    residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let run = Run(
      blocks: blocks, g: g, input: input, taps: taps, bias: bias, residual: residual,
      output: output, scratch: scratch)
    switch activation {
    case .none: run.run(V.self, Identity.self)
    case .relu: run.run(V.self, Rectifier.self)
    case .hardSwish: run.run(V.self, HardSwishing.self)
    case .relu6: run.run(V.self, ClampedRectifier.self)
    }
  }

  /// Lays out the `[C, k²]` taps `w` for `convolve`: per block of `lanes` channels, tap t's
  /// `lanes` weights side by side (`[C / lanes][k²][lanes]`, at the same offset c·k² as w's).
  public static func interleaveTaps(
    _ w: UnsafePointer<Float>, channels: Int, taps: Int, lanes: Int,
    into target: UnsafeMutablePointer<Float>
  ) {
    for channel in 0..<channels {
      let (block, lane) = channel.quotientAndRemainder(dividingBy: lanes)
      for t in 0..<taps { target[(block * taps + t) * lanes + lane] = w[channel * taps + t] }
    }
  }

  /// One call's operands.
  @usableFromInline
  struct Run {
    @usableFromInline let blocks: Int
    @usableFromInline let g: Geometry
    @usableFromInline let input: UnsafePointer<Float>
    @usableFromInline let taps, bias: UnsafePointer<Float>
    @usableFromInline let residual: UnsafePointer<Float>?
    @usableFromInline let output, scratch: UnsafeMutablePointer<Float>

    @inlinable
    init(
      blocks: Int, g: Geometry, input: UnsafePointer<Float>, taps: UnsafePointer<Float>,
      bias: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
      output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
      (self.blocks, self.g, self.input, self.taps, self.bias) = (blocks, g, input, taps, bias)
      (self.residual, self.output, self.scratch) = (residual, output, scratch)
    }

    @inlinable
    func run<V: WinogradVector, A: VectorActivation>(_: V.Type, _: A.Type) {
      let lanes = V.scalarCount
      let (area, outputArea) = (g.height * g.width, g.outputHeight * g.outputWidth)
      let (wp, kk) = (g.paddedWidth, g.kernelHeight * g.kernelWidth)
      let paddedCount = Swift.max(g.paddedHeight, g.padTop + g.height) * wp * lanes
      let padded = scratch
      let staged = padded + paddedCount
      let square = staged + outputArea * lanes
      // The padding stays zero from block to block: only the image's place is rewritten.
      padded.update(repeating: 0, count: paddedCount)
      // Where tap t reads, from an output pixel's top-left input place.
      withUnsafeTemporaryAllocation(of: Int.self, capacity: kk) { offsets in
        let offsets = offsets.baseAddress!
        for t in 0..<kk { offsets[t] = ((t / g.kernelWidth) * wp + t % g.kernelWidth) * lanes }
        for block in 0..<blocks {
          let first = block * lanes
          let x = input + first * area
          // Channels into lanes, each pixel's vector to its padded place.
          interleave(V.self, x, square: square, padded: padded)
          let weights = taps + first * kk
          let start = loadVector(bias + first, as: V.self)
          // Four pixels at a time (along the flattened output, across rows): four independent
          // sums hide the FMA latency. `next()` is the next pixel's top-left input place.
          var (p, oy, ox) = (0, 0, 0)
          func next() -> UnsafeMutablePointer<Float> {
            let at = padded + (oy * g.stride * wp + ox * g.stride) * lanes
            ox += 1
            if ox == g.outputWidth { (oy, ox) = (oy + 1, 0) }
            return at
          }
          while p + 4 <= outputArea {
            let (o0, o1, o2, o3) = (next(), next(), next(), next())
            var (a, b, c, d) = (start, start, start, start)
            for t in 0..<kk {
              let (w, at) = (loadVector(weights + t * lanes, as: V.self), offsets[t])
              a = a.addingProduct(w, loadVector(o0 + at))
              b = b.addingProduct(w, loadVector(o1 + at))
              c = c.addingProduct(w, loadVector(o2 + at))
              d = d.addingProduct(w, loadVector(o3 + at))
            }
            storeVector(A.apply(a), staged + p * lanes)
            storeVector(A.apply(b), staged + (p + 1) * lanes)
            storeVector(A.apply(c), staged + (p + 2) * lanes)
            storeVector(A.apply(d), staged + (p + 3) * lanes)
            p += 4
          }
          while p < outputArea {
            let o = next()
            var a = start
            for t in 0..<kk {
              a = a.addingProduct(loadVector(weights + t * lanes), loadVector(o + offsets[t]))
            }
            storeVector(A.apply(a), staged + p * lanes)
            p += 1
          }
          // Lanes back into channels, the residual added plane by plane.
          let y = output + first * outputArea
          let r = residual.map { $0 + first * outputArea }
          deinterleave(V.self, staged, area: outputArea, square: square, into: y, residual: r)
        }
      }
    }

    /// Reads `lanes` planes of H·W floats from `x` and stores each pixel's vector of channels
    /// at its place in `padded`.
    @inlinable @inline(__always)
    func interleave<V: WinogradVector>(
      _: V.Type, _ x: UnsafePointer<Float>, square: UnsafeMutablePointer<Float>,
      padded: UnsafeMutablePointer<Float>
    ) {
      let lanes = V.scalarCount
      let (area, wp) = (g.height * g.width, g.paddedWidth)
      var (p, iy, ix) = (0, 0, 0)
      while p < area {
        let count = Swift.min(lanes, area - p)
        for channel in 0..<lanes {
          let row = x + (channel * area + p)
          storeVector(V.load(row, lanes: count), square + channel * lanes)
        }
        let result = transposeSquare(V.self, square)
        for pixel in 0..<count {
          let place = padded + ((iy + g.padTop) * wp + ix + g.padLeft) * lanes
          storeVector(loadVector(result + pixel * lanes, as: V.self), place)
          ix += 1
          if ix == g.width { (iy, ix) = (iy + 1, 0) }
        }
        p += lanes
      }
    }

    /// The inverse of `interleave` for contiguous pixel vectors: `lanes` planes of `area`
    /// floats into `y` (plus `residual` at the same places when given).
    @inlinable @inline(__always)
    func deinterleave<V: WinogradVector>(
      _: V.Type, _ staged: UnsafePointer<Float>, area: Int, square: UnsafeMutablePointer<Float>,
      into y: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?
    ) {
      let lanes = V.scalarCount
      var p = 0
      while p < area {
        let count = Swift.min(lanes, area - p)
        // Pixels past the last are whatever `square` held: their lanes are never stored.
        square.update(from: staged + p * lanes, count: count * lanes)
        let result = transposeSquare(V.self, square)
        for channel in 0..<lanes {
          let at = channel * area + p
          var v = loadVector(result + channel * lanes, as: V.self)
          if let residual { v += V.load(residual + at, lanes: count) }
          v.store(to: y + at, lanes: count)
        }
        p += lanes
      }
    }
  }

  /// Transposes the lanes × lanes floats at `square` (row r at `square + r·lanes`), using the
  /// `lanes²` floats after them as the other buffer; returns where the result is.
  @inlinable @inline(__always)
  public static func transposeSquare<V: WinogradVector>(
    _: V.Type, _ square: UnsafeMutablePointer<Float>
  ) -> UnsafeMutablePointer<Float> {
    let lanes = V.scalarCount
    var (from, to) = (square, square + lanes * lanes)
    var width = 1
    while width < lanes {
      // Rows 2i and 2i + 1 split into their even lanes (row i) and odd lanes (row lanes/2 + i).
      for i in 0..<(lanes / 2) {
        let (a, b) = (
          loadVector(from + 2 * i * lanes, as: V.self),
          loadVector(from + (2 * i + 1) * lanes, as: V.self)
        )
        let (even, odd) = V.unzip(a, b)
        storeVector(even, to + i * lanes)
        storeVector(odd, to + (lanes / 2 + i) * lanes)
      }
      swap(&from, &to)
      width *= 2
    }
    return from
  }
}

/// `DepthwiseChannels.convolve` without the vector type: `(blocks, geometry, input, taps, bias,
/// activation, residual, output, scratch)`.
public typealias DepthwiseChannelsKernel = (
  Int, DepthwiseChannels.Geometry, UnsafePointer<Float>, UnsafePointer<Float>,
  UnsafePointer<Float>, RowActivation, UnsafePointer<Float>?, UnsafeMutablePointer<Float>,
  UnsafeMutablePointer<Float>
) -> Void
