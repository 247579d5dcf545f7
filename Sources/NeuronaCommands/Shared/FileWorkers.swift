// FileWorkers: a folder of pictures processed one picture per core. Each worker has its own
// copy of the model (layers keep scratch memory and are not shared between threads), and a
// network call inside runs on its worker alone (ComputeThreads runs nested parallel work
// serially), so the cores never wait on each other; memory stays at one picture per worker.
import Foundation
import Neurona

/// Runs per-file work on all cores, with per-worker state, and times it.
final class FileWorkers<State> {
  private var idle: [State]
  private let lock = NSLock()
  private var progress: ProgressBar
  private var done = 0
  private let started = Clock.now
  /// How many files.
  let count: Int

  /// For `count` files: one state per core (or per file, if fewer), made by `makeState`
  /// (e.g. loading the model).
  init(title: String, count: Int, makeState: () throws -> State) rethrows {
    self.count = count
    idle = try (0..<Swift.max(1, Swift.min(count, ComputeThreads.workers))).map { _ in
      try makeState()
    }
    progress = ProgressBar(title: title)
  }

  /// Calls `body(state, index)` for every index in `0..<count`, at most one call per core at
  /// a time, each with a state no other call is using; returns when all are done.
  func forEach(_ body: (State, Int) -> Void) {
    ComputeThreads.parallel(count) { index in
      let state = lock.withLock { idle.removeLast() }
      body(state, index)
      lock.withLock {
        idle.append(state)
        done += 1
        if count > 1 { progress.update(done, of: count) }
      }
    }
  }

  /// Runs `body` under the workers' lock (e.g. to print a warning or keep a result).
  func synchronized<T>(_ body: () throws -> T) rethrows -> T {
    try lock.withLock(body)
  }

  /// Clears the progress bar and, for more than one file, reports the throughput.
  func finish(noun: String) {
    progress.finish()
    Terminal.reportThroughput(count, noun, since: started)
  }
}
