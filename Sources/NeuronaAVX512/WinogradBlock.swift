// Winograd F(4×4, 3×3) (NeuronaKernels/Winograd.swift) instantiated for AVX-512: sixteen
// tiles to a vector, the products by this module's packed product.
import NeuronaKernels

extension Winograd {
  /// `computeBlock` in 16-float vectors (see NeuronaKernels' Winograd).
  public static func computeBlockAVX512(
    _ block: Range<Int>, _ g: Geometry, outputs: Int, x: UnsafePointer<Float>,
    u: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, epilogue: Epilogue,
    input v: UnsafeMutablePointer<Float>, product m: UnsafeMutablePointer<Float>,
    rows: UnsafeMutablePointer<Float>
  ) {
    computeBlock(
      SIMD16<Float>.self, block, g, outputs: outputs, x: x, u: u, y: y, epilogue: epilogue,
      input: v, product: m, rows: rows, multiply: PackedProduct512.product)
  }
}
