// The depthwise convolution's inner loop for AVX2/FMA: one output row as the sum of the
// kH·kW taps, each a weight times a contiguous run of (phase-split, zero-padded) input, then
// the activation and an optional residual added while the row is still in registers. Compiled
// for Haswell, this is 8-wide FMA instead of the baseline's pairs of 4-wide SSE multiply-adds,
// and the activation costs no second pass over memory. The caller (Neurona's DepthwiseConv2D)
// prepares the input planes and the tap offsets; it calls here only after
// `CPUFeatures.hasAVX2AndFMA`.

/// One depthwise output row with its epilogue (see the file header).
public enum DepthwiseRows {
  /// The activation applied after the bias.
  public enum Activation: Sendable {
    case none, relu, hardSwish
  }

  /// row[ox] = act(bias + Σ_t taps[t] · top[offsets[t] + ox]) (+ residual[ox] when given),
  /// for ox < width. Reads `top[offsets[t] + ox]` only for ox < width.
  @inline(never)
  public static func convolve(
    into row: UnsafeMutablePointer<Float>, width: Int, bias: Float, taps: UnsafePointer<Float>,
    offsets: UnsafePointer<Int>, count: Int, top: UnsafePointer<Float>,
    activation: Activation, residual: UnsafePointer<Float>?
  ) {
    switch activation {
    case .none: sweep(row, width, bias, taps, offsets, count, top, residual) { $0 }
    case .relu: sweep(row, width, bias, taps, offsets, count, top, residual) { relu($0) }
    case .hardSwish:
      sweep(row, width, bias, taps, offsets, count, top, residual) { hardSwish($0) }
    }
  }

  @inline(__always)
  static func relu(_ v: SIMD8<Float>) -> SIMD8<Float> {
    v.replacing(with: 0, where: v .< 0)
  }

  /// v·min(max(v + 3, 0), 6)/6, as HardSwish computes it (the same rounding).
  @inline(__always)
  static func hardSwish(_ v: SIMD8<Float>) -> SIMD8<Float> {
    let clipped = (v + 3).clamped(
      lowerBound: SIMD8(repeating: 0), upperBound: SIMD8(repeating: 6))
    return v * clipped / 6
  }

  /// The row, 32 columns at a time (four sums in flight hide the FMA latency), then 8, then
  /// the last partial vector through a zero-padded register.
  @inline(__always)
  static func sweep(
    _ row: UnsafeMutablePointer<Float>, _ width: Int, _ bias: Float,
    _ taps: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, _ count: Int,
    _ top: UnsafePointer<Float>, _ residual: UnsafePointer<Float>?,
    _ activate: (SIMD8<Float>) -> SIMD8<Float>
  ) {
    typealias Lanes = SIMD8<Float>
    @inline(__always) func finish(_ v: Lanes, _ ox: Int, lanes: Int = 8) {
      var v = activate(v)
      if let residual { v += load8(residual + ox, lanes: lanes) }
      store8(v, row + ox, lanes: lanes)
    }
    var ox = 0
    while ox + 32 <= width {
      var (a, b, c, d) = (
        Lanes(repeating: bias), Lanes(repeating: bias), Lanes(repeating: bias),
        Lanes(repeating: bias)
      )
      for t in 0..<count {
        let from = top + offsets[t] + ox
        let tap = Lanes(repeating: taps[t])
        a = a.addingProduct(tap, load8(from))
        b = b.addingProduct(tap, load8(from + 8))
        c = c.addingProduct(tap, load8(from + 16))
        d = d.addingProduct(tap, load8(from + 24))
      }
      finish(a, ox)
      finish(b, ox + 8)
      finish(c, ox + 16)
      finish(d, ox + 24)
      ox += 32
    }
    while ox < width {
      let lanes = Swift.min(8, width - ox)
      var total = Lanes(repeating: bias)
      for t in 0..<count {
        total = total.addingProduct(
          Lanes(repeating: taps[t]), load8(top + offsets[t] + ox, lanes: lanes))
      }
      finish(total, ox, lanes: lanes)
      ox += lanes
    }
  }
}
