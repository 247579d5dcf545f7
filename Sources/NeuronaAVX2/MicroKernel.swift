// The one arithmetic kernel of the module: a 6 × 16 block of C = A·B in twelve 8-wide
// accumulators (16 ymm registers: twelve sums, two vectors of B, one broadcast of A), one
// fused multiply-add per step for each, stored once at the end. Compiled for FMA it is
// 12 vfmadd231ps, 2 loads and 6 broadcasts per step of K, like a BLAS microkernel.
// Where B's rows are is the caller's: a contiguous strip (PackedProduct) or a fixed offset
// per step into a padded image (DirectConvolution); the closure is inlined away.

/// C[6 × 16] = A[6 × k] · B[k × 16]: A packed (`a[6p + r]` is row r, column p), row p of B
/// (16 floats) at `row(p)`, C's rows `rowStrideC` apart.
@inline(__always)
func block6x16(
  k: Int, _ a: UnsafePointer<Float>, row: (Int) -> UnsafePointer<Float>,
  into c: UnsafeMutablePointer<Float>, rowStrideC: Int
) {
  var (c00, c01, c10, c11) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var (c20, c21, c30, c31) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var (c40, c41, c50, c51) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var pa = a
  for step in 0..<k {
    let pb = row(step)
    let (b0, b1) = (load8(pb), load8(pb + 8))
    var x = SIMD8<Float>(repeating: pa[0])
    c00.addProduct(x, b0)
    c01.addProduct(x, b1)
    x = SIMD8<Float>(repeating: pa[1])
    c10.addProduct(x, b0)
    c11.addProduct(x, b1)
    x = SIMD8<Float>(repeating: pa[2])
    c20.addProduct(x, b0)
    c21.addProduct(x, b1)
    x = SIMD8<Float>(repeating: pa[3])
    c30.addProduct(x, b0)
    c31.addProduct(x, b1)
    x = SIMD8<Float>(repeating: pa[4])
    c40.addProduct(x, b0)
    c41.addProduct(x, b1)
    x = SIMD8<Float>(repeating: pa[5])
    c50.addProduct(x, b0)
    c51.addProduct(x, b1)
    pa += 6
  }
  let s = rowStrideC
  store8(c00, c)
  store8(c01, c + 8)
  store8(c10, c + s)
  store8(c11, c + (s &+ 8))
  store8(c20, c + 2 &* s)
  store8(c21, c + (2 &* s &+ 8))
  store8(c30, c + 3 &* s)
  store8(c31, c + (3 &* s &+ 8))
  store8(c40, c + 4 &* s)
  store8(c41, c + (4 &* s &+ 8))
  store8(c50, c + 5 &* s)
  store8(c51, c + (5 &* s &+ 8))
}
