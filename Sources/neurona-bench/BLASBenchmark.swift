// `neurona-bench blas`: which OpenBLAS kernel this CPU runs (BLASKernel.swift's choice, or the
// user's OPENBLAS_CORETYPE) and the sgemm rate it reaches through GEMM.multiply, on a square
// shape and on the convolution shapes of ../README.md's performance section (U-Net layers as
// im2col products: [O, C·9] × [C·9, P]). The product is checked against a plain sum first.
// Then the packed product of the convolutions' own paths (Winograd's products, 1×1 layers)
// in 8-float and in 16-float vectors, alternating in one process, as single-thread GFLOP/s.
import Foundation
import Neurona
import NeuronaAVX2
import NeuronaAVX512
import NeuronaKernels

enum BLASBenchmark {
  static let shapes: [(m: Int, k: Int, n: Int)] = [
    (1024, 1024, 1024), (64, 576, 65536), (128, 1152, 16384), (256, 2304, 256),
  ]

  /// The CPU, the kernel level this run takes of the levels it has, and OpenBLAS's kernel
  /// (`neurona-bench cpu` prints it alone, for bench-vs-peers' header).
  static var machine: String {
    let f = CPUFeatures.detected
    let vendor = f.isAMD != 0 ? "AMD" : f.isIntel != 0 ? "Intel" : "other"
    return "CPU family \(f.family) model \(f.model) (\(vendor)), level \(CPUFeatures.active) of "
      + "\(CPUFeatures.available); OpenBLAS kernel \(ComputeThreads.blasCoreName)"
  }

  static func run(arguments: [String]) {
    let threads = arguments.firstIndex(of: "--threads").flatMap {
      arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil
    }
    if let threads { ComputeThreads.setWorkers(threads) }
    print("\(machine); \(ComputeThreads.workers) workers")
    var generator = SplitMix64(seed: 7)
    for (m, k, n) in shapes {
      let a = (0..<(m * k)).map { _ in generator.nextUnitFloat() - 0.5 }
      let b = (0..<(k * n)).map { _ in generator.nextUnitFloat() - 0.5 }
      var c = [Float](repeating: 0, count: m * n)
      let product = {
        a.withUnsafeBufferPointer { pa in
          b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
              GEMM.multiply(
                pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: m, n: n, k: k)
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
    comparePackedProducts()
  }

  /// The packed product per vector width on shapes of the U-Net's Winograd products
  /// ([O, C] × [C, T], T tiles of a block) and of the person model's 1×1 layers.
  static func comparePackedProducts() {
    guard CPUFeatures.hasAVX2AndFMA else { return }
    var kernels = [("avx2", PackedProduct.product)]
    if CPUFeatures.hasAVX512 { kernels.append(("avx512", PackedProduct512.product)) }
    print("packed product, 1 thread (GFLOP/s): \(kernels.map(\.0).joined(separator: " / "))")
    var generator = SplitMix64(seed: 8)
    for (m, k, n) in [
      (32, 32, 512), (64, 64, 512), (128, 128, 256), (256, 256, 96), (96, 24, 4096),
    ] {
      let a = (0..<(m * k)).map { _ in generator.nextUnitFloat() - 0.5 }
      let b = (0..<(k * n)).map { _ in generator.nextUnitFloat() - 0.5 }
      var packed = [Float](repeating: 0, count: PackedProduct.packedCount(rows: m, depth: k))
      PackedProduct.pack(a, rows: m, depth: k, into: &packed)
      var outputs = kernels.map { _ in [Float](repeating: 0, count: m * n) }
      let bodies = kernels.indices.map { index in
        {
          let product = kernels[index].1
          outputs[index].withUnsafeMutableBufferPointer { c in
            product(packed, m, k, b, n, n, c.baseAddress!, n)
          }
        }
      }
      for body in bodies { body() }
      let agree = outputs.allSatisfy { zip($0, outputs[0]).allSatisfy { abs($0 - $1) < 1e-3 } }
      let rates = ConvolutionBenchmark.alternating(1, bodies).map {
        String(format: "%.1f", 2 * Double(m * k * n) / $0 / 1e9)
      }
      print("  \(m)×\(k)×\(n): \(rates.joined(separator: " / "))\(agree ? "" : "  DISAGREE")")
    }
  }
}
