// neurona-bench: benchmarks of the core, run in release. `neurona-bench conv|relu [options]`.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "conv": ConvolutionBenchmark.run(arguments: Array(arguments.dropFirst()))
case "relu": ActivationBenchmark.run(arguments: Array(arguments.dropFirst()))
default: print(ConvolutionBenchmark.usage + "\n    or: neurona-bench relu")
}
