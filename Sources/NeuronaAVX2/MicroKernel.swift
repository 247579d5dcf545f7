// The 6 × 16 block of C = A·B that the AVX2 paths built on it call (DirectConvolution,
// Winograd2x2): NeuronaKernels' two-vector block instantiated with 8-float vectors, so it
// compiles to 12 vfmadd231ps, 2 loads and 6 broadcasts per step of K here.
import NeuronaKernels

/// C[6 × 16] = A[6 × k] · B[k × 16]: A packed (`a[6p + r]` is row r, column p), row p of B
/// (16 floats) at `row(p)`, C's rows `rowStrideC` apart.
@inline(__always)
func block6x16(
  k: Int, _ a: UnsafePointer<Float>, row: (Int) -> UnsafePointer<Float>,
  into c: UnsafeMutablePointer<Float>, rowStrideC: Int
) {
  block6x2(SIMD8<Float>.self, k: k, a, row: row, into: c, rowStrideC: rowStrideC)
}
