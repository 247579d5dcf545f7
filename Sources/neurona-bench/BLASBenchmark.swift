// `neurona-bench blas`: which OpenBLAS kernel this CPU runs (BLASKernel.swift's choice, or the
// user's OPENBLAS_CORETYPE) and the sgemm rate it reaches through GEMM.multiply, on a square
// shape and on the convolution shapes of ../README.md's performance section (U-Net layers as
// im2col products: [O, C·9] × [C·9, P]). The product is checked against a plain sum first.
import Foundation
import Neurona

enum BLASBenchmark {
  static let shapes: [(m: Int, k: Int, n: Int)] = [
    (1024, 1024, 1024), (64, 576, 65536), (128, 1152, 16384), (256, 2304, 256),
  ]

  static func run(arguments: [String]) {
    let threads = arguments.firstIndex(of: "--threads").flatMap {
      arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil
    }
    if let threads { ComputeThreads.setWorkers(threads) }
    let f = CPUFeatures.detected
    print(
      "CPU family \(f.family) model \(f.model) (\(f.isAMD != 0 ? "AMD" : f.isIntel != 0 ? "Intel" : "other")), "
        + "level \(CPUFeatures.active) of \(CPUFeatures.available); OpenBLAS kernel "
        + "\(ComputeThreads.blasCoreName); \(ComputeThreads.workers) workers")
    var generator = SplitMix64(seed: 7)
    for (m, k, n) in shapes {
      let a = (0..<(m * k)).map { _ in generator.nextUnitFloat() - 0.5 }
      let b = (0..<(k * n)).map { _ in generator.nextUnitFloat() - 0.5 }
      var c = [Float](repeating: 0, count: m * n)
      let product = {
        a.withUnsafeBufferPointer { pa in
          b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
              GEMM.multiply(pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: m, n: n, k: k)
            }
          }
        }
      }
      product()
      var expected: Float = 0
      for p in 0..<k { expected += a[p] * b[p * n] }
      guard abs(c[0] - expected) <= 1e-3 * Float(k).squareRoot() else {
        print("  \(m)×\(k)×\(n): WRONG RESULT (\(c[0]) against \(expected))")
        continue
      }
      let seconds = ConvolutionBenchmark.alternating(1, [product])[0]
      let gflops = 2 * Double(m) * Double(k) * Double(n) / seconds / 1e9
      print("  sgemm \(m)×\(k)×\(n): \(String(format: "%.1f", gflops)) GFLOP/s")
    }
  }
}
