// Running a piece of a test on a chosen number of workers, to check that a pass shared
// between the workers gives the same result as one run on a single thread.
import Neurona

/// Runs `body` with the core computing on `count` workers, then goes back to one per core.
///
/// Other tests running meanwhile only get slower (their results must not depend on it).
public func withWorkers<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
  ComputeThreads.setWorkers(count)
  defer { ComputeThreads.setWorkers(ComputeThreads.cores) }
  return try body()
}
