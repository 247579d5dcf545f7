// The packed product (NeuronaKernels' `packedMultiply`) in 16-float vectors: each 6 × 32
// block of C is twelve zmm accumulators, 12 FMAs for 2 loads and 6 broadcasts per step of K.
// The filters' layout is the AVX2 module's (`NeuronaAVX2.PackedProduct.pack`): panels of six
// rows do not depend on the width, so one laid-out copy serves either path.
//
// This module is compiled for AVX-512 (F, BW, VL, DQ; Package.swift): Neurona calls it only
// after CPUFeatures has found them (and NEURONA_ISA allows them).
import NeuronaKernels

/// Products with a pre-laid-out left operand, in 16-float vectors.
public enum PackedProduct512 {
  /// C `[M, N]` (rows `rowStrideC` apart) = A (packed) · B `[K, N]` (rows `rowStrideB`
  /// apart). B is read only inside its N columns.
  public static func multiply(
    packed a: UnsafePointer<Float>, rows m: Int, depth k: Int, _ b: UnsafePointer<Float>,
    rowStrideB: Int, columns n: Int, into c: UnsafeMutablePointer<Float>, rowStrideC: Int
  ) {
    packedMultiply(
      SIMD16<Float>.self, packed: a, rows: m, depth: k, b, rowStrideB: rowStrideB, columns: n,
      into: c, rowStrideC: rowStrideC)
  }

  /// `multiply` as a `PackedMultiply`.
  public static let product: PackedMultiply = { a, m, k, b, rowStrideB, n, c, rowStrideC in
    multiply(
      packed: a, rows: m, depth: k, b, rowStrideB: rowStrideB, columns: n, into: c,
      rowStrideC: rowStrideC)
  }
}
