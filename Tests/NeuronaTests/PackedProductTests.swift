import Neurona
import NeuronaAVX2
import NeuronaAVX512
import NeuronaKernels
import NeuronaTestSupport
import Testing

/// The product with laid-out filters, in 8-float (AVX2) and 16-float (AVX-512) vectors, gives
/// the plain triple loop's result, whatever the rows left over after panels of six, the
/// columns after blocks of two vectors and of one, and the strides; it writes nothing outside
/// C's columns. Called directly, so they run whenever the CPU can execute them, whatever
/// NEURONA_ISA caps the process's own paths at.
@Test(
  .enabled(if: CPUFeatures.available >= .avx2, "the kernels need AVX2 and FMA"),
  arguments: [
    (6, 9, 16), (13, 7, 37), (64, 288, 200), (1, 3, 5), (32, 16, 15), (7, 40, 56), (11, 41, 49),
    (5, 1, 17),
  ])
func packedProductMatchesTheTripleLoop(m: Int, k: Int, n: Int) {
  checkPackedProduct(m: m, k: k, n: n, PackedProduct.product)
}

@Test(
  .enabled(if: CPUFeatures.available >= .avx512, "the kernels need AVX-512"),
  arguments: [
    (6, 9, 32), (13, 7, 37), (64, 288, 200), (1, 3, 5), (32, 16, 15), (7, 40, 56), (11, 41, 49),
    (5, 1, 17),
  ])
func wideProductMatchesTheTripleLoop(m: Int, k: Int, n: Int) {
  checkPackedProduct(m: m, k: k, n: n, PackedProduct512.product)
}

private func checkPackedProduct(m: Int, k: Int, n: Int, _ product: PackedMultiply) {
  let (strideB, strideC) = (n + 3, n + 5)
  let a = randomTensor([m, k], seed: 41).scalars
  let b = randomTensor([k, strideB], seed: 42).scalars
  var packed = [Float](repeating: .nan, count: PackedProduct.packedCount(rows: m, depth: k))
  PackedProduct.pack(a, rows: m, depth: k, into: &packed)
  var c = [Float](repeating: -7, count: m * strideC)
  product(packed, m, k, b, strideB, n, &c, strideC)
  var worst: Float = 0
  for i in 0..<m {
    for j in 0..<strideC {
      var expected: Float = -7
      if j < n {
        expected = 0
        for p in 0..<k { expected += a[i * k + p] * b[p * strideB + j] }
      }
      worst = max(worst, abs(c[i * strideC + j] - expected))
    }
  }
  #expect(worst < 1e-4, "\(worst)")
}
