// Vectorised exp, sigmoid and tanh over contiguous Float spans, for the hot element-wise loops
// of recurrent cells (an LSTM step calls five of them per unit). libm's expf/tanhf are scalar
// calls of ~10–20 ns each, which made them cost more than the LSTM's matrix products.
//
// exp(x) = 2ⁿ·eʳ with n = round(x / ln 2) and r = x − n·ln 2 ∈ [−ln2/2, ln2/2]; eʳ by its
// degree-6 Taylor polynomial (relative error ≤ 1.3e-7, about one Float ulp), 2ⁿ by writing the
// exponent bits. Inputs are clamped to [−87.3, 88.3], where 2ⁿ stays a normal Float, so
// sigmoid and tanh saturate cleanly to 0/1 and ±1 instead of producing NaN.

/// Element-wise transcendental functions on buffers, eight lanes at a time.
public enum VectorMath {
  private typealias Lanes = SIMD8<Float>

  /// e^x for eight lanes (see the file header for the method and its accuracy).
  @inline(__always)
  private static func exp(_ x: Lanes) -> Lanes {
    var x = x
    x.replace(with: Lanes(repeating: 88.3), where: x .> Lanes(repeating: 88.3))
    x.replace(with: Lanes(repeating: -87.3), where: x .< Lanes(repeating: -87.3))
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer and leaves that integer in
    // the low mantissa bits of `shifted`.
    let magic = Lanes(repeating: 12_582_912)
    let shifted = x * Lanes(repeating: 1.442_695_04) + magic
    let n = shifted - magic
    // ln 2 split in a high part exact in Float and a low correction, so r keeps its precision.
    let r = x - n * Lanes(repeating: 0.693_145_75) - n * Lanes(repeating: 1.428_606_8e-6)
    var p = Lanes(repeating: 1.0 / 720)
    p = p * r + Lanes(repeating: 1.0 / 120)
    p = p * r + Lanes(repeating: 1.0 / 24)
    p = p * r + Lanes(repeating: 1.0 / 6)
    p = p * r + Lanes(repeating: 0.5)
    p = p * r + Lanes(repeating: 1)
    p = p * r + Lanes(repeating: 1)
    // 2ⁿ: the biased exponent n + 127 shifted into place.
    let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let scale = unsafeBitCast((integer &+ 127) &<< 23, to: Lanes.self)
    return p * scale
  }

  /// σ(x) = 1 / (1 + e^−x) for eight lanes.
  @inline(__always)
  private static func sigmoid(_ x: Lanes) -> Lanes {
    Lanes(repeating: 1) / (Lanes(repeating: 1) + exp(-x))
  }

  /// tanh x = 1 − 2 / (1 + e^2x) for eight lanes (absolute error ~1e-7 near 0).
  @inline(__always)
  private static func tanh(_ x: Lanes) -> Lanes {
    Lanes(repeating: 1) - Lanes(repeating: 2) / (Lanes(repeating: 1) + exp(x + x))
  }

  /// Applies `function` to `count` floats from `source` into `destination` (which may be
  /// `source`), the last partial group of eight through a zero-padded register.
  @inline(__always)
  private static func apply(
    _ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int,
    _ function: (Lanes) -> Lanes
  ) {
    var i = 0
    while i + 8 <= count {
      let y = function(UnsafeRawPointer(source + i).loadUnaligned(as: Lanes.self))
      UnsafeMutableRawPointer(destination + i).storeBytes(of: y, as: Lanes.self)
      i += 8
    }
    guard i < count else { return }
    var x = Lanes()
    for k in 0..<(count - i) { x[k] = source[i + k] }
    let y = function(x)
    for k in 0..<(count - i) { destination[i + k] = y[k] }
  }

  /// `destination[k] = σ(source[k])` for k < count; `destination` may be `source`.
  public static func sigmoid(
    _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int
  ) {
    apply(source, destination, count, sigmoid)
  }

  /// `destination[k] = tanh(source[k])` for k < count; `destination` may be `source`.
  public static func tanh(
    _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int
  ) {
    apply(source, destination, count, tanh)
  }

  /// `destination[k] = e^source[k]` for k < count; `destination` may be `source`.
  public static func exp(
    _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int
  ) {
    apply(source, destination, count, exp)
  }
}
