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

/// ⌈a / b⌉ for positive b.
@inlinable public func ceilDivide(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

/// a rounded up to a multiple of m.
@inlinable public func roundUp(_ a: Int, _ m: Int) -> Int { ceilDivide(a, m) * m }
