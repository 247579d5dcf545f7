// A stride-1 convolution computed straight from a zero-padded input: no unfolded columns.
// With the input's rows padded to width Wp (≥ W' + kW − 1), output pixel (y, x) has the flat
// index q = y·Wp + x, and the input it reads at tap (c, i, j) sits at q + c·plane + i·Wp + j:
// one fixed offset per tap. So two vectors of consecutive outputs read two vectors of
// consecutive inputs at every tap, and C = W·cols runs on the 6 × 2-vector kernel with B's
// rows read in place at those offsets; im2col's matrix (K times the image, 226 KB per
// Fashion-MNIST image at K = 288) is never built. The Wp − W' columns past each output row
// are computed and dropped. Generic over the vector; NeuronaAVX2 and NeuronaAVX512
// instantiate it (KernelInstances.swift there).

/// Stride-1 convolutions from a padded input (see the file header).
public enum DirectConvolution {
  /// Floats the last block may read past the padded input's last plane (their values only
  /// reach dropped columns).
  public static func slack(kernelWidth: Int, blockWidth: Int) -> Int {
    blockWidth + kernelWidth
  }

  /// Floats per row of the output `[O', columns]` for `rows` output rows of width `wp`, in
  /// whole blocks of `blockWidth` columns (two vectors: 16 for AVX2, 32 for AVX-512; the
  /// narrower blocks compute fewer dropped columns).
  public static func columns(rows: Int, paddedWidth wp: Int, blockWidth: Int) -> Int {
    roundUp(rows * wp, blockWidth)
  }

  /// Rows of the output: O rounded up to whole panels of 6 (the extra rows are scratch).
  public static func outputRows(_ outputs: Int) -> Int { roundUp(outputs, 6) }

  /// y `[outputRows(O)][columns]` (rows `rowStride` apart): `rows` output rows, flat, of the
  /// convolution of `x` — C planes `planeStride` apart, each rows + kH − 1 rows of width
  /// `wp`, already padded, followed by `slack` readable floats — with the weights
  /// `[O, C, kH, kW]` laid out by `PackedProduct.pack` (depth C·kH·kW). Column y·wp + x is
  /// output pixel (y, x); columns x ≥ wp − kW + 1 are garbage.
  @inlinable
  public static func compute<V: SIMD>(
    _: V.Type, packed a: UnsafePointer<Float>, outputs o: Int, channels c: Int,
    kernelHeight kh: Int,
    kernelWidth kw: Int, input x: UnsafePointer<Float>, planeStride: Int, paddedWidth wp: Int,
    rows: Int, into y: UnsafeMutablePointer<Float>, rowStride: Int
  ) where V.Scalar == Float {
    let width = 2 * V.scalarCount
    let k = c * kh * kw
    withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { offsets in
      let offsets = offsets.baseAddress!
      var tap = 0
      for channel in 0..<c {
        for i in 0..<kh {
          for j in 0..<kw {
            offsets[tap] = channel * planeStride + i * wp + j
            tap += 1
          }
        }
      }
      // Block by block of two vectors of outputs, every panel of six filters: the block's
      // input rows stay in L1 while the panels stream from L2.
      let end = columns(rows: rows, paddedWidth: wp, blockWidth: width)
      for column in Swift.stride(from: 0, to: end, by: width) {
        let b = x + column
        for panel in 0..<ceilDivide(o, 6) {
          block6x2(
            V.self, k: k, a + panel * 6 * k, row: { b + offsets[$0] },
            into: y + (panel * 6 * rowStride + column), rowStrideC: rowStride)
        }
      }
    }
  }
}
