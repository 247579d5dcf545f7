// The 36 products of Winograd's method, M[ξ] = U[ξ]·V[ξ], by one register-blocked kernel:
// each call computes a 6 × 16 block of M in twelve 8-wide accumulators, one fused
// multiply-add per filter value and tile pair, and stores it once. The operands are laid out
// so that nothing is packed per call: U, transformed once per change of the weights, is
// stored panel by panel (`[36][O/6][C][6]`: six output channels' values for each input
// channel side by side, zero rows past O), and V is read in place (`[36][C][T]`, T a
// multiple of 16). Against sgemm on the same shapes this drops the packing of both operands
// and the pass that zeroes C, which on thin products (C = 16 or 32 at the U-Net's top level)
// cost as much as the arithmetic.

/// The products M[ξ] = U[ξ]·V[ξ] (see the file header).
enum Products {
  /// Rows of M per point: O rounded up to whole panels of 6.
  static func rows(_ outputs: Int) -> Int { roundUp(outputs, 6) }

  /// Columns of V and M per row: T rounded up to whole blocks of 16 tiles.
  static func columns(_ tiles: Int) -> Int { roundUp(tiles, 16) }

  /// Where U[ξ][output][channel] is stored.
  static func weightIndex(point: Int, output: Int, channel: Int, outputs: Int, channels: Int)
    -> Int
  {
    let (panel, row) = output.quotientAndRemainder(dividingBy: 6)
    return ((point * rows(outputs) / 6 + panel) * channels + channel) * 6 + row
  }

  /// M `[36][rows(O)][T]` = U `[36][O/6][C][6]` · V `[36][C][T]`, T = `tiles` (a multiple
  /// of 16).
  static func multiply(
    _ u: UnsafePointer<Float>, _ v: UnsafePointer<Float>, into m: UnsafeMutablePointer<Float>,
    outputs: Int, channels c: Int, tiles t: Int
  ) {
    let panels = rows(outputs) / 6
    for xi in 0..<Winograd.points {
      let (uPoint, vPoint) = (u + xi * panels * c * 6, v + xi * c * t)
      let mPoint = m + xi * panels * 6 * t
      // One panel of U (C × 6 floats, in L1) against all of V[ξ] (in L2): U[ξ] is read once.
      for panel in 0..<panels {
        for column in Swift.stride(from: 0, to: t, by: 16) {
          block6x16(
            k: c, uPoint + panel * c * 6, vPoint + column, rowStrideB: t,
            into: mPoint + panel * 6 * t + column, rowStrideC: t)
        }
      }
    }
  }
}

/// C[6 × 16] = A[6 × k] · B[k × 16]: A packed (`a[6p + r]` is row r, column p), B's rows
/// `rowStrideB` apart, C's `rowStrideC`.
@inline(__always)
func block6x16(
  k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rowStrideB: Int,
  into c: UnsafeMutablePointer<Float>, rowStrideC: Int
) {
  var (c00, c01, c10, c11) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var (c20, c21, c30, c31) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var (c40, c41, c50, c51) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var (pa, pb) = (a, b)
  for _ in 0..<k {
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
    pb += rowStrideB
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
