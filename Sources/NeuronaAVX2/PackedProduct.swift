// C = A·B with A laid out once for the kernel: the product of a convolution's filters
// (A, [M, K], fixed between changes of the weights) with its unfolded input (B, [K, N]).
// A is stored in panels of six rows (`[M/6][K][6]`, zero rows past M), so each 6 × 16 block
// of C is twelve accumulators fed by one broadcast per row and two loads of B per step of K.
// The product itself is NeuronaKernels' `packedMultiply`, instantiated here with 8-float
// vectors (NeuronaAVX512 instantiates it with 16).
import NeuronaKernels

/// The product in 8-float vectors (the layout, `pack`, is NeuronaKernels').
extension PackedProduct {
  /// C `[M, N]` (rows `rowStrideC` apart) = A (packed) · B `[K, N]` (rows `rowStrideB`
  /// apart), in 8-float vectors. B is read only inside its N columns.
  public static func multiply(
    packed a: UnsafePointer<Float>, rows m: Int, depth k: Int, _ b: UnsafePointer<Float>,
    rowStrideB: Int, columns n: Int, into c: UnsafeMutablePointer<Float>, rowStrideC: Int
  ) {
    packedMultiply(
      SIMD8<Float>.self, packed: a, rows: m, depth: k, b, rowStrideB: rowStrideB, columns: n,
      into: c, rowStrideC: rowStrideC)
  }

  /// `multiply` as a `PackedMultiply`.
  public static let product: PackedMultiply = { a, m, k, b, rowStrideB, n, c, rowStrideC in
    multiply(
      packed: a, rows: m, depth: k, b, rowStrideB: rowStrideB, columns: n, into: c,
      rowStrideC: rowStrideC)
  }
}
