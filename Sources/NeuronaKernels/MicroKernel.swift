// The one arithmetic kernel of the products: a block of C = A·B six rows high and two
// vectors wide (6 × 16 for AVX2, 6 × 32 for AVX-512) in twelve accumulators, one fused
// multiply-add per step of K for each: 12 FMAs, 2 loads of B and 6 broadcasts of A per step,
// like a BLAS micro-kernel (16 of the 16 ymm registers; 16 of the 32 zmm). The one-vector
// form takes a half-width tail. Where B's rows are is the caller's: a contiguous strip
// (PackedProduct) or a fixed offset per step into a padded image (DirectConvolution); the
// closure is inlined away.

/// C[6 × 2·lanes] = A[6 × k] · B[k × 2·lanes]: A packed (`a[6p + r]` is row r, column p), row
/// p of B (2·lanes floats) at `row(p)`, C's rows `rowStrideC` apart; only C's first `rows`
/// rows are stored (a last panel's, whose other rows of A are zeros).
@inlinable @inline(__always)
public func block6x2<V: SIMD>(
  _: V.Type, k: Int, _ a: UnsafePointer<Float>, row: (Int) -> UnsafePointer<Float>,
  into c: UnsafeMutablePointer<Float>, rowStrideC: Int, rows: Int = 6
) where V.Scalar == Float {
  let w = V.scalarCount
  var (c00, c01, c10, c11) = (V(), V(), V(), V())
  var (c20, c21, c30, c31) = (V(), V(), V(), V())
  var (c40, c41, c50, c51) = (V(), V(), V(), V())
  var pa = a
  for step in 0..<k {
    let pb = row(step)
    let (b0, b1) = (loadVector(pb, as: V.self), loadVector(pb + w, as: V.self))
    var x = V(repeating: pa[0])
    c00.addProduct(x, b0)
    c01.addProduct(x, b1)
    x = V(repeating: pa[1])
    c10.addProduct(x, b0)
    c11.addProduct(x, b1)
    x = V(repeating: pa[2])
    c20.addProduct(x, b0)
    c21.addProduct(x, b1)
    x = V(repeating: pa[3])
    c30.addProduct(x, b0)
    c31.addProduct(x, b1)
    x = V(repeating: pa[4])
    c40.addProduct(x, b0)
    c41.addProduct(x, b1)
    x = V(repeating: pa[5])
    c50.addProduct(x, b0)
    c51.addProduct(x, b1)
    pa += 6
  }
  let s = rowStrideC
  storeVector(c00, c)
  storeVector(c01, c + w)
  guard rows > 1 else { return }
  storeVector(c10, c + s)
  storeVector(c11, c + (s &+ w))
  guard rows > 2 else { return }
  storeVector(c20, c + 2 &* s)
  storeVector(c21, c + (2 &* s &+ w))
  guard rows > 3 else { return }
  storeVector(c30, c + 3 &* s)
  storeVector(c31, c + (3 &* s &+ w))
  guard rows > 4 else { return }
  storeVector(c40, c + 4 &* s)
  storeVector(c41, c + (4 &* s &+ w))
  guard rows > 5 else { return }
  storeVector(c50, c + 5 &* s)
  storeVector(c51, c + (5 &* s &+ w))
}

/// C[6 × lanes] = A[6 × k] · B[k × lanes], as `block6x2` one vector wide (six accumulators:
/// for the columns short of a two-vector block), storing C's first `rows` rows.
@inlinable @inline(__always)
public func block6x1<V: SIMD>(
  _: V.Type, k: Int, _ a: UnsafePointer<Float>, row: (Int) -> UnsafePointer<Float>,
  into c: UnsafeMutablePointer<Float>, rowStrideC: Int, rows: Int = 6
) where V.Scalar == Float {
  var (c0, c1, c2, c3, c4, c5) = (V(), V(), V(), V(), V(), V())
  var pa = a
  for step in 0..<k {
    let b = loadVector(row(step), as: V.self)
    c0.addProduct(V(repeating: pa[0]), b)
    c1.addProduct(V(repeating: pa[1]), b)
    c2.addProduct(V(repeating: pa[2]), b)
    c3.addProduct(V(repeating: pa[3]), b)
    c4.addProduct(V(repeating: pa[4]), b)
    c5.addProduct(V(repeating: pa[5]), b)
    pa += 6
  }
  let s = rowStrideC
  storeVector(c0, c)
  guard rows > 1 else { return }
  storeVector(c1, c + s)
  guard rows > 2 else { return }
  storeVector(c2, c + 2 &* s)
  guard rows > 3 else { return }
  storeVector(c3, c + 3 &* s)
  guard rows > 4 else { return }
  storeVector(c4, c + 4 &* s)
  guard rows > 5 else { return }
  storeVector(c5, c + 5 &* s)
}
