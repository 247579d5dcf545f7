// The 36 products of Winograd's method, M[ξ] = U[ξ]·V[ξ], each a PackedProduct: U,
// transformed once per change of the weights, is stored panel by panel (`[36][O/6][C][6]`:
// six output channels' values for each input channel side by side, zero rows past O), V is
// `[36][C][T]` with T a multiple of 16. Against sgemm on the same shapes this drops the
// per-call packing of U and the pass that zeroes M, which on thin products (C = 16 or 32 at
// the U-Net's top level) cost as much as the arithmetic.
/// The products M[ξ] = U[ξ]·V[ξ] (see the file header).
@usableFromInline
enum Products {
  /// Rows of M per point: O rounded up to whole panels of 6.
  @inlinable
  static func rows(_ outputs: Int) -> Int { roundUp(outputs, 6) }

  /// Columns of V and M per row: T rounded up to whole blocks of 16 tiles.
  @inlinable
  static func columns(_ tiles: Int) -> Int { roundUp(tiles, 16) }

  /// Floats between two points' laid-out matrices in U: O rounded up to panels, times C.
  @inlinable
  static func pointStride(outputs: Int, channels: Int) -> Int { rows(outputs) * channels }

  /// M `[36][rows(O)][T]` = U `[36][O/6][C][6]` · V `[36][C][T]`, T = `tiles` (a multiple
  /// of 16), each by `product` (the packed product of the caller's instruction set).
  @inlinable
  static func multiply(
    _ u: UnsafePointer<Float>, _ v: UnsafePointer<Float>, into m: UnsafeMutablePointer<Float>,
    outputs: Int, channels c: Int, tiles t: Int, product: PackedMultiply
  ) {
    let stride = pointStride(outputs: outputs, channels: c)
    for xi in 0..<Winograd.points {
      product(u + xi * stride, outputs, c, v + xi * c * t, t, t, m + xi * rows(outputs) * t, t)
    }
  }
}
