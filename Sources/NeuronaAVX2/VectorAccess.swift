// Unaligned 8-float loads and stores, whole or partial (a row's last vector), and the
// lane-wise maximum. (The integer rounding the layouts use is NeuronaKernels'.)

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func store8(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// The first `lanes` floats at `p` (the rest 0): a row's last, partial vector.
@inline(__always) func load8(_ p: UnsafePointer<Float>, lanes: Int) -> SIMD8<Float> {
  if lanes == 8 { return load8(p) }
  var value = SIMD8<Float>()
  for lane in 0..<lanes { value[lane] = p[lane] }
  return value
}

/// Stores the first `lanes` lanes of `value` at `p`.
@inline(__always) func store8(
  _ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, lanes: Int
) {
  if lanes == 8 { return store8(value, p) }
  for lane in 0..<lanes { p[lane] = value[lane] }
}

/// The lane-wise larger of `a` and `b` (`a` on a tie): a compare and a blend, inlined — the
/// standard library's generic `pointwiseMax` stays a call per vector here.
@inline(__always) func larger(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
  a.replacing(with: b, where: a .< b)
}
