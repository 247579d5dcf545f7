// neurona-bench: benchmarks, run in release (never in CI). One subcommand per benchmark.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "conv": ConvolutionBenchmark.run(arguments: Array(arguments.dropFirst()))
default: print("usage: neurona-bench conv [fashion] [fashion256] [unet1] [unet8] [--seconds S]")
}
