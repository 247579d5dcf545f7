// neurona-bench: benchmarks, run in release (never in CI). One subcommand per benchmark.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "conv": ConvolutionBenchmark.run(arguments: Array(arguments.dropFirst()))
default: print(ConvolutionBenchmark.usage)
}
