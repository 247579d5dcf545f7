// The kernels that exist once and are compiled per vector width: generic over the SIMD
// vector `V` (SIMD8<Float> for AVX2, SIMD16<Float> for AVX-512) and `@inlinable`, so the
// module that instantiates them (NeuronaAVX2, NeuronaAVX512) compiles them for its own
// instruction set. This module itself is compiled for the portable target and runs nothing:
// its code is only ever specialised elsewhere, so the two paths cannot drift apart.

/// An unaligned vector load.
@inlinable @inline(__always)
public func loadVector<V: SIMD>(_ p: UnsafePointer<Float>, as _: V.Type = V.self) -> V
where V.Scalar == Float {
  UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

/// An unaligned vector store.
@inlinable @inline(__always)
public func storeVector<V: SIMD>(_ value: V, _ p: UnsafeMutablePointer<Float>)
where V.Scalar == Float {
  UnsafeMutableRawPointer(p).storeBytes(of: value, as: V.self)
}

/// The first `lanes` floats at `p` (the rest 0): a row's last, partial vector.
@inlinable @inline(__always)
public func loadVector<V: SIMD>(_ p: UnsafePointer<Float>, lanes: Int) -> V
where V.Scalar == Float {
  if lanes == V.scalarCount { return loadVector(p) }
  var value = V()
  for lane in 0..<lanes { value[lane] = p[lane] }
  return value
}

/// Stores the first `lanes` lanes of `value` at `p`.
@inlinable @inline(__always)
public func storeVector<V: SIMD>(_ value: V, _ p: UnsafeMutablePointer<Float>, lanes: Int)
where V.Scalar == Float {
  if lanes == V.scalarCount { return storeVector(value, p) }
  for lane in 0..<lanes { p[lane] = value[lane] }
}

/// A vector the Winograd transforms can take: one that can split two or four vectors' worth
/// of consecutive floats by index mod 2 or 4 (an image row into its column phases) and put
/// four back together (four output columns into a row). The standard library's generic SIMD
/// code builds these lane by lane (a 5× slowdown of the transforms, measured): each
/// conformance implements them on its concrete type, where they compile to shuffles.
public protocol WinogradVector: KernelVector {
  /// (p[2i], p[2i + 1]) for every lane i.
  static func deinterleave2(_ p: UnsafePointer<Float>) -> (Self, Self)
  /// (p[4i], p[4i + 1], p[4i + 2], p[4i + 3]) for every lane i.
  static func deinterleave4(_ p: UnsafePointer<Float>) -> (Self, Self, Self, Self)
  /// Stores a[i], b[i], c[i], d[i] at p[4i], p[4i + 1], p[4i + 2], p[4i + 3].
  static func interleave4(
    _ a: Self, _ b: Self, _ c: Self, _ d: Self, to p: UnsafeMutablePointer<Float>)
  /// The even lanes of a then b, and their odd lanes: `deinterleave2` of two vectors held in
  /// registers (one two-source permute each).
  static func unzip(_ a: Self, _ b: Self) -> (even: Self, odd: Self)
}

extension SIMD8: WinogradVector where Scalar == Float {
  @inlinable @inline(__always)
  public static func unzip(_ a: Self, _ b: Self) -> (even: Self, odd: Self) {
    (Self(lowHalf: a.evenHalf, highHalf: b.evenHalf), Self(lowHalf: a.oddHalf, highHalf: b.oddHalf))
  }

  @inlinable @inline(__always)
  public static func deinterleave2(_ p: UnsafePointer<Float>) -> (Self, Self) {
    let pair = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    return (pair.evenHalf, pair.oddHalf)
  }

  @inlinable @inline(__always)
  public static func deinterleave4(_ p: UnsafePointer<Float>) -> (Self, Self, Self, Self) {
    let quad = UnsafeRawPointer(p).loadUnaligned(as: SIMD32<Float>.self)
    let (even, odd) = (quad.evenHalf, quad.oddHalf)
    return (even.evenHalf, odd.evenHalf, even.oddHalf, odd.oddHalf)
  }

  @inlinable @inline(__always)
  public static func interleave4(
    _ a: Self, _ b: Self, _ c: Self, _ d: Self, to p: UnsafeMutablePointer<Float>
  ) {
    var (quad, pair) = (SIMD32<Float>(), SIMD16<Float>())
    (pair.evenHalf, pair.oddHalf) = (a, c)
    quad.evenHalf = pair
    (pair.evenHalf, pair.oddHalf) = (b, d)
    quad.oddHalf = pair
    UnsafeMutableRawPointer(p).storeBytes(of: quad, as: SIMD32<Float>.self)
  }
}

extension SIMD16: WinogradVector where Scalar == Float {
  @inlinable @inline(__always)
  public static func unzip(_ a: Self, _ b: Self) -> (even: Self, odd: Self) {
    (Self(lowHalf: a.evenHalf, highHalf: b.evenHalf), Self(lowHalf: a.oddHalf, highHalf: b.oddHalf))
  }

  @inlinable @inline(__always)
  public static func deinterleave2(_ p: UnsafePointer<Float>) -> (Self, Self) {
    let pair = UnsafeRawPointer(p).loadUnaligned(as: SIMD32<Float>.self)
    return (pair.evenHalf, pair.oddHalf)
  }

  /// Two 8-lane splits joined: SIMD64's own halves are built lane by lane.
  @inlinable @inline(__always)
  public static func deinterleave4(_ p: UnsafePointer<Float>) -> (Self, Self, Self, Self) {
    let (a0, a1, a2, a3) = SIMD8<Float>.deinterleave4(p)
    let (b0, b1, b2, b3) = SIMD8<Float>.deinterleave4(p + 32)
    return (
      Self(lowHalf: a0, highHalf: b0), Self(lowHalf: a1, highHalf: b1),
      Self(lowHalf: a2, highHalf: b2), Self(lowHalf: a3, highHalf: b3)
    )
  }

  @inlinable @inline(__always)
  public static func interleave4(
    _ a: Self, _ b: Self, _ c: Self, _ d: Self, to p: UnsafeMutablePointer<Float>
  ) {
    SIMD8<Float>.interleave4(a.lowHalf, b.lowHalf, c.lowHalf, d.lowHalf, to: p)
    SIMD8<Float>.interleave4(a.highHalf, b.highHalf, c.highHalf, d.highHalf, to: p + 32)
  }
}

/// ⌈a / b⌉ for positive b.
@inlinable public func ceilDivide(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

/// a rounded up to a multiple of m.
@inlinable public func roundUp(_ a: Int, _ m: Int) -> Int { ceilDivide(a, m) * m }

/// The generic kernels instantiated for one instruction set: what an ISA module
/// (NeuronaAVX2, NeuronaAVX512) hands to Neurona, which picks one set at start-up.
public struct VectorKernelSet {
  /// Floats per vector (8 for AVX2, 16 for AVX-512).
  public let lanes: Int
  /// `packedMultiply` in these vectors.
  public let packedProduct: PackedMultiply
  /// `Winograd.computeBlock` in these vectors, with this set's packed product.
  public let winogradBlock: WinogradBlock
  /// `Winograd.gradientBlock` in these vectors.
  public let winogradGradientBlock: WinogradGradientBlock
  /// `DirectConvolution.compute` in these vectors.
  public let directConvolution: DirectConvolutionKernel
  /// `DepthwiseRows.convolve` in these vectors.
  public let depthwiseRows: DepthwiseRowsKernel
  /// `DepthwiseChannels.convolve` in these vectors.
  public let depthwiseChannels: DepthwiseChannelsKernel
  /// `RowEpilogue.apply` in these vectors.
  public let rowEpilogue: RowEpilogueKernel
  /// `Winograd2x2.compute` in vectors of its layout's `lanes` (`Winograd2x2.unitLanes`: these
  /// vectors, or 8 floats for short rows).
  public let winograd2x2: Winograd2x2Kernel
  /// `Winograd2x2.gradientUnits` in vectors of its layout's `lanes`.
  public let winograd2x2Gradient: Winograd2x2GradientKernel

  /// The set of the given kernels.
  public init(
    lanes: Int, packedProduct: @escaping PackedMultiply, winogradBlock: @escaping WinogradBlock,
    winogradGradientBlock: @escaping WinogradGradientBlock,
    directConvolution: @escaping DirectConvolutionKernel,
    depthwiseRows: @escaping DepthwiseRowsKernel,
    depthwiseChannels: @escaping DepthwiseChannelsKernel,
    rowEpilogue: @escaping RowEpilogueKernel, winograd2x2: @escaping Winograd2x2Kernel,
    winograd2x2Gradient: @escaping Winograd2x2GradientKernel
  ) {
    (self.lanes, self.packedProduct) = (lanes, packedProduct)
    (self.winogradBlock, self.directConvolution) = (winogradBlock, directConvolution)
    self.winogradGradientBlock = winogradGradientBlock
    (self.depthwiseRows, self.rowEpilogue) = (depthwiseRows, rowEpilogue)
    self.depthwiseChannels = depthwiseChannels
    (self.winograd2x2, self.winograd2x2Gradient) = (winograd2x2, winograd2x2Gradient)
  }
}

/// `Winograd.computeBlock` without the vector type: `(block, geometry, outputs, x, u, y,
/// epilogue, V scratch, M scratch, rows scratch)`.
public typealias WinogradBlock = (
  Range<Int>, Winograd.Geometry, Int, UnsafePointer<Float>, UnsafePointer<Float>,
  UnsafeMutablePointer<Float>, Winograd.Epilogue, UnsafeMutablePointer<Float>,
  UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>
) -> Void

/// `Winograd.gradientBlock` without the vector type: `(block, geometry, outputs, x, dy,
/// V scratch, ∂M scratch, rows scratch)`.
public typealias WinogradGradientBlock = (
  Range<Int>, Winograd.Geometry, Int, UnsafePointer<Float>, UnsafePointer<Float>,
  UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>
) -> Void

/// `DirectConvolution.compute` without the vector type: `(packed, O, C, kH, kW, input,
/// planeStride, paddedWidth, rows, output, rowStride)`.
public typealias DirectConvolutionKernel = (
  UnsafePointer<Float>, Int, Int, Int, Int, UnsafePointer<Float>, Int, Int, Int,
  UnsafeMutablePointer<Float>, Int
) -> Void
