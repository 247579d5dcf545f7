// `--threads`, on every command that computes: how many cores the network runs on (the
// default, every core, or $NEURONA_THREADS when set: ComputeThreads).
import ArgumentParser
import Neurona

/// The compute options every computing subcommand pulls in with `@OptionGroup`.
struct ComputeOptions: ParsableArguments {
  @Option(help: "Cores to compute on (default: all, or $NEURONA_THREADS).")
  var threads: Int?

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
  }

  /// Makes the core use `--threads` workers, when given.
  func apply() {
    if let threads { ComputeThreads.setWorkers(threads) }
  }
}
