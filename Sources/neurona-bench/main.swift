// neurona-bench: benchmarks, run in a release build (`swift run -c release neurona-bench …`),
// never in CI. The first argument picks the benchmark; each lives in its own file.
import Foundation
import Neurona

Allocator.keepLargeBlocks()

let benchmarks: [(name: String, usage: String, run: ([String]) throws -> Void)] = [
  ("decode", "decode PATH…   decode every PNG/JPEG under PATHs; throughput vs threads", runDecode),
  (
    "conv", "conv [options]  convolution vs raw sgemm GFLOP/s on the reference shapes",
    { ConvolutionBenchmark.run(arguments: $0) }
  ),
  (
    "models",
    "models [--format json] [--threads N] [--seconds S] [--only KEY]  whole models vs peers",
    { try ModelsBenchmark.run(arguments: $0) }
  ),
  (
    "layers", "layers [fashionnet|unet|person] [--batch N] [--threads N]  inference time per layer",
    { try LayersBenchmark.run(arguments: $0) }
  ),
  (
    "blas", "blas [--threads N]  OpenBLAS's kernel for this CPU and its sgemm GFLOP/s",
    { BLASBenchmark.run(arguments: $0) }
  ),
  (
    "cpu", "cpu             the CPU, the kernel level and OpenBLAS's kernel",
    { _ in print(BLASBenchmark.machine) }
  ),
  (
    "relu", "relu            the ReLU fast path vs the generic element-wise path",
    { ActivationBenchmark.run(arguments: $0) }
  ),
  (
    "person", "person [MODEL]  person segmenter frames/s at 256×256 (run from the repo root)",
    { try PersonBenchmark.run(arguments: $0) }
  ),
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let benchmark = benchmarks.first(where: { $0.name == name })
else {
  let lines = benchmarks.map { "  neurona-bench \($0.usage)" }.joined(separator: "\n")
  FileHandle.standardError.write(Data("usage:\n\(lines)\n".utf8))
  exit(2)
}
#if DEBUG
  FileHandle.standardError.write(Data("warning: debug build; use -c release for figures\n".utf8))
#endif
do {
  try benchmark.run(Array(arguments.dropFirst()))
} catch {
  FileHandle.standardError.write(Data("neurona-bench \(name): \(error)\n".utf8))
  exit(1)
}
