// neurona-bench: benchmarks of the core, run in release. `neurona-bench conv [options]`.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "conv": ConvolutionBenchmark.run(arguments: Array(arguments.dropFirst()))
default: print(ConvolutionBenchmark.usage)
}
