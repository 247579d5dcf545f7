import Foundation
import Neurona
import NeuronaTestSupport
import Testing

/// The textbook triple loop, the reference the BLAS wrapper must agree with.
private func naiveProduct(_ a: Tensor, _ ta: Bool, _ b: Tensor, _ tb: Bool) -> Tensor {
  let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
  let n = tb ? b.shape[0] : b.shape[1]
  var c = Tensor(zeros: [m, n])
  for i in 0..<m {
    for j in 0..<n {
      var sum: Double = 0
      for p in 0..<k {
        let x = ta ? a[p, i] : a[i, p]
        let y = tb ? b[j, p] : b[p, j]
        sum += Double(x) * Double(y)
      }
      c[i, j] = Float(sum)
    }
  }
  return c
}

@Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
func gemmMatchesNaiveProductForEveryTransposeCase(transposeA: Bool, transposeB: Bool) {
  // One row or column (sgemv), small products, and products big enough to be shared
  // between the workers by columns (300×700) or by rows (900×30).
  let shapes = [
    (1, 1, 1), (3, 5, 7), (17, 1, 33), (1, 40, 9), (1, 700, 300), (900, 1, 200), (64, 65, 3),
    (2, 129, 31), (300, 700, 20),
    (900, 30, 40),
  ]
  for (m, n, k) in shapes {
    let a = randomTensor(transposeA ? [k, m] : [m, k], seed: UInt64(m * 31 + k))
    let b = randomTensor(transposeB ? [n, k] : [k, n], seed: UInt64(n * 17 + k))
    let product = GEMM.matmul(a, transposeA: transposeA, b, transposeB: transposeB)
    #expect(isClose(product, naiveProduct(a, transposeA, b, transposeB), tolerance: 1e-4))
  }
}

@Test func gemmAccumulatesWithBeta() {
  let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
  var c: [Float] = [10, 20, 30, 40]
  a.withUnsafeBufferPointer { pa in
    GEMM.multiply(pa.baseAddress!, pa.baseAddress!, into: &c, m: 2, n: 2, k: 2, beta: 1)
  }
  // [[1,2],[3,4]]² = [[7,10],[15,22]], plus the old C.
  #expect(c == [17, 30, 45, 62])
}

/// Products into a block of a wider C (row strides), with β = 1, for every path: sgemv rows and
/// columns, one sgemm, a shared sgemm.
@Test(arguments: [
  (1, 50, 30), (50, 1, 30), (1, 600, 300), (700, 1, 200), (8, 9, 10), (200, 600, 40),
])
func gemmWritesIntoABlockOfAWiderMatrix(m: Int, n: Int, k: Int) {
  let a = randomTensor([m, k], seed: 1)
  let bWide = randomTensor([k, n + 3], seed: 2)
  let expected = naiveProduct(a, false, bWide, false)
  var c = [Float](repeating: 1, count: m * (n + 5))
  a.withUnsafeBufferPointer { pa in
    bWide.withUnsafeBufferPointer { pb in
      GEMM.multiply(
        pa.baseAddress!, pb.baseAddress!, into: &c, m: m, n: n, k: k, beta: 1,
        rowStrideB: n + 3, rowStrideC: n + 5)
    }
  }
  for i in 0..<m {
    for j in 0..<(n + 5) {
      let want = j < n ? expected[i, j] + 1 : 1
      #expect(abs(c[i * (n + 5) + j] - want) < 1e-4, "C[\(i), \(j)]")
    }
  }
}

@Test func blasRunsTheKernelItsLevelCalls() {
  // After preparing, OpenBLAS runs a kernel the choice would keep: the switch took effect.
  // (A user's OPENBLAS_CORETYPE wins over the choice, so the check is off then.)
  guard getenv("OPENBLAS_CORETYPE") == nil else { return }
  let name = ComputeThreads.blasCoreName
  #expect(
    BLASKernel.choice(
      current: name, for: CPUFeatures.active, isAMD: CPUFeatures.detected.isAMD != 0) == nil,
    "OpenBLAS runs \(name) at \(CPUFeatures.active)")
}
