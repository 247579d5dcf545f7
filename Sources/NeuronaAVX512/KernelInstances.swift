// NeuronaKernels' generic kernels instantiated for AVX-512: 16 floats a vector, products by
// this module's packed product. Neurona calls these after CPUFeatures has allowed them.
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

extension DirectConvolution {
  /// `compute` in 16-float vectors (see NeuronaKernels' DirectConvolution).
  public static func computeAVX512(
    packed a: UnsafePointer<Float>, outputs o: Int, channels c: Int, kernelHeight kh: Int,
    kernelWidth kw: Int, input x: UnsafePointer<Float>, planeStride: Int, paddedWidth wp: Int,
    rows: Int, into y: UnsafeMutablePointer<Float>, rowStride: Int
  ) {
    compute(
      SIMD16<Float>.self, packed: a, outputs: o, channels: c, kernelHeight: kh, kernelWidth: kw,
      input: x, planeStride: planeStride, paddedWidth: wp, rows: rows, into: y,
      rowStride: rowStride)
  }
}
