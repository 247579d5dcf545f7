// The activations that follow a convolution at inference, on eight lanes, and the per-channel
// epilogue y ← act(y·a + b) over a run of one output channel, for AVX2/FMA. Neurona's
// ConvolutionEpilogue calls `RowEpilogue.apply` on every channel of every convolution's output
// (after the product, while it is in cache) and DepthwiseRows applies the same activations in
// its registers; the expressions are HardSwish's and ReLU's, so fused and unfused agree.

/// The activation applied after the affine part of an epilogue.
public enum RowActivation: Sendable {
  case none, relu, hardSwish

  /// max(v, 0).
  @inline(__always)
  static func relu(_ v: SIMD8<Float>) -> SIMD8<Float> {
    v.replacing(with: 0, where: v .< 0)
  }

  /// v·min(max(v + 3, 0), 6)/6, as HardSwish computes it (the same rounding).
  @inline(__always)
  static func hardSwish(_ v: SIMD8<Float>) -> SIMD8<Float> {
    var clipped = v + 3
    clipped.replace(with: 0, where: clipped .< 0)
    clipped.replace(with: 6, where: clipped .> 6)
    return v * clipped / 6
  }
}

/// y ← act(y·a + b) over contiguous values.
public enum RowEpilogue {
  /// values[q] ← act(values[q]·scale + shift) for q < count (v·1 + 0 is exact, so a plain
  /// bias or a lone activation loses nothing by going through the multiply-add).
  @inline(never)
  public static func apply(
    _ values: UnsafeMutablePointer<Float>, count: Int, scale: Float, shift: Float,
    activation: RowActivation
  ) {
    switch activation {
    case .none: sweep(values, count, scale, shift) { $0 }
    case .relu: sweep(values, count, scale, shift) { RowActivation.relu($0) }
    case .hardSwish: sweep(values, count, scale, shift) { RowActivation.hardSwish($0) }
    }
  }

  @inline(__always)
  static func sweep(
    _ values: UnsafeMutablePointer<Float>, _ count: Int, _ scale: Float, _ shift: Float,
    _ activate: (SIMD8<Float>) -> SIMD8<Float>
  ) {
    let (a, b) = (SIMD8<Float>(repeating: scale), SIMD8<Float>(repeating: shift))
    var q = 0
    while q + 16 <= count {
      let (u, v) = (load8(values + q), load8(values + q + 8))
      store8(activate(u * a + b), values + q)
      store8(activate(v * a + b), values + q + 8)
      q += 16
    }
    while q < count {
      let lanes = Swift.min(8, count - q)
      store8(
        activate(load8(UnsafePointer(values + q), lanes: lanes) * a + b), values + q, lanes: lanes)
      q += lanes
    }
  }
}
