// The 36 products of Winograd's method, M[ξ] = U[ξ]·V[ξ], each a PackedProduct: U,
// transformed once per change of the weights, is stored panel by panel (`[36][O/6][C][6]`:
// six output channels' values for each input channel side by side, zero rows past O), V is
// `[36][C][T]` with T a multiple of 16. Against sgemm on the same shapes this drops the
// per-call packing of U and the pass that zeroes M, which on thin products (C = 16 or 32 at
// the U-Net's top level) cost as much as the arithmetic.

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
      PackedProduct.multiply(
        packed: u + xi * panels * c * 6, rows: outputs, depth: c, v + xi * c * t,
        rowStrideB: t, columns: t, into: m + xi * panels * 6 * t, rowStrideC: t)
    }
  }
}
