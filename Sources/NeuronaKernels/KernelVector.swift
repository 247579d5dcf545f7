// The vector operations the generic kernels need beyond arithmetic, each implemented on the
// concrete type (SIMD8<Float> for AVX2, SIMD16<Float> for AVX-512): the standard library's
// generic forms of the clamps build their results lane by lane even once specialised (its
// generic `pointwiseMax` stayed a call per vector), while the concrete types' own
// `replacing(with:where:)` is a compare and a blend. A row's last, partial vector is loaded
// and stored here too: SIMD16 takes its first eight lanes as one whole SIMD8, so a 14-float
// row tail costs what it costs in eight lanes, not fourteen single-float moves.

/// A float vector the generic kernels can clamp, and load or store in part.
public protocol KernelVector: SIMD where Scalar == Float {
  /// The lane-wise larger of `self` and `floor` (`self` on a tie).
  func atLeast(_ floor: Self) -> Self
  /// The lane-wise smaller of `self` and `ceiling` (`self` on a tie).
  func atMost(_ ceiling: Self) -> Self
  /// The first `lanes` floats at `p` (the rest 0), reading nothing past them.
  static func load(_ p: UnsafePointer<Float>, lanes: Int) -> Self
  /// Stores the first `lanes` lanes at `p`, writing nothing past them.
  func store(to p: UnsafeMutablePointer<Float>, lanes: Int)
}

extension SIMD8: KernelVector where Scalar == Float {
  @inlinable @inline(__always)
  public func atLeast(_ floor: Self) -> Self { replacing(with: floor, where: self .< floor) }

  @inlinable @inline(__always)
  public func atMost(_ ceiling: Self) -> Self {
    replacing(with: ceiling, where: self .> ceiling)
  }

  @inlinable @inline(__always)
  public static func load(_ p: UnsafePointer<Float>, lanes: Int) -> Self {
    loadVector(p, lanes: lanes)
  }

  @inlinable @inline(__always)
  public func store(to p: UnsafeMutablePointer<Float>, lanes: Int) {
    storeVector(self, p, lanes: lanes)
  }
}

extension SIMD16: KernelVector where Scalar == Float {
  @inlinable @inline(__always)
  public func atLeast(_ floor: Self) -> Self { replacing(with: floor, where: self .< floor) }

  @inlinable @inline(__always)
  public func atMost(_ ceiling: Self) -> Self {
    replacing(with: ceiling, where: self .> ceiling)
  }

  /// A whole SIMD8 and a partial one when more than eight lanes are asked for.
  @inlinable @inline(__always)
  public static func load(_ p: UnsafePointer<Float>, lanes: Int) -> Self {
    if lanes == 16 { return loadVector(p) }
    if lanes < 8 { return Self(lowHalf: .load(p, lanes: lanes), highHalf: .zero) }
    return Self(lowHalf: loadVector(p), highHalf: .load(p + 8, lanes: lanes - 8))
  }

  @inlinable @inline(__always)
  public func store(to p: UnsafeMutablePointer<Float>, lanes: Int) {
    if lanes == 16 { return storeVector(self, p) }
    if lanes < 8 { return lowHalf.store(to: p, lanes: lanes) }
    storeVector(lowHalf, p)
    highHalf.store(to: p + 8, lanes: lanes - 8)
  }
}
