// Sums over long runs of floats, in 8 independent lanes: a plain `total += x[i]` loop is one
// dependent chain of adds (4 cycles each) that the compiler may not reorder, 8× slower.
// Used for bias gradients (Σ over every pixel of a channel) and pooling means.

/// Vectorised reductions over contiguous floats.
public enum Reduction {
  /// Σ x[i] for i in 0..<count.
  @inline(__always)
  public static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>.zero
    var i = 0
    while i + 8 <= count {
      lanes += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
      i += 8
    }
    var total = lanes.sum()
    while i < count {
      total += x[i]
      i += 1
    }
    return total
  }
}
