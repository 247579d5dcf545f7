// WorkerPool: the core's own threads, one per core, that share a parallel piece of work
// (a convolution's tiles, a product's columns). OpenBLAS itself is kept single-threaded
// (ComputeThreads): its pool spin-yields between products and, sharing two cores with ours,
// cost a third of the time in the scheduler. Here the helpers spin briefly after a job —
// the next layer's job usually comes within microseconds — then sleep on a condition
// variable, so an idle program costs nothing.
import Foundation
import Synchronization

/// A fixed set of helper threads that run `body(i)` for `i` in `0..<count` together with
/// the calling thread.
///
/// A job is one atomic word — generation, count, next unclaimed index — so that claiming an
/// index and checking it belongs to the current job are one compare-and-swap. The caller
/// waits only for claimed indices to complete, never for a helper to show up: a helper the
/// system has descheduled (another program on the cores) costs nothing but its share.
final class WorkerPool: @unchecked Sendable {
  /// Helper threads (the caller is the other worker).
  let helperCount: Int

  /// generation << 40 | count << 20 | next.
  private let job = Atomic<UInt64>(0)
  /// Indices of the current job that have finished.
  private let completed = Atomic<Int>(0)
  /// Whether a job is running (a second caller, or a nested call, runs serially instead).
  private let busy = Atomic<Bool>(false)

  /// The current job's body, set before its word is published; valid while it has
  /// unfinished indices.
  nonisolated(unsafe) private var body: ((Int) -> Void)?

  private let sleepLock = NSCondition()
  /// How long a helper spins for the next job before it sleeps.
  private let spinSeconds = 5e-3
  /// Jobs of more indices than this run serially (the word has 20 bits for each).
  private static let largestCount = 1 << 20 - 1

  init(helpers: Int) {
    helperCount = helpers
    for helper in 0..<helpers {
      let thread = Thread { [unowned self] in self.helperLoop() }
      thread.name = "neurona-worker-\(helper + 1)"
      thread.stackSize = 8 << 20  // as the main thread: whole pictures are processed here too
      thread.start()
    }
  }

  /// Runs `body(i)` for every `i` in `0..<count`, spread over the caller and the helpers, and
  /// returns when all are done. Runs serially on the caller when another job is in progress
  /// (a nested call, or a second thread), so that the cores are never oversubscribed.
  func run(_ count: Int, _ body: (Int) -> Void) {
    guard count > 1, count <= WorkerPool.largestCount, helperCount > 0,
      busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else {
      for i in 0..<count { body(i) }
      return
    }
    withoutActuallyEscaping(body) { body in
      self.body = body
      completed.store(0, ordering: .relaxed)
      let generation = (job.load(ordering: .relaxed) >> 40) &+ 1
      job.store(generation << 40 | UInt64(count) << 20, ordering: .releasing)
      sleepLock.lock()
      sleepLock.broadcast()
      sleepLock.unlock()
      claimAndRun(generation)
      while completed.load(ordering: .acquiring) < count {}
      self.body = nil
    }
    busy.store(false, ordering: .releasing)
  }

  /// Whether a job is in progress (a product inside it should not split itself again).
  var isBusy: Bool { busy.load(ordering: .relaxed) }

  /// Runs `body` with the pool held, so that every job inside runs its indices in turn on
  /// this thread (the same indices, so the same partitions, as when shared). When the pool
  /// is already held, `body` runs as it is.
  func serially<T>(_ body: () throws -> T) rethrows -> T {
    guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else { return try body() }
    defer { busy.store(false, ordering: .releasing) }
    return try body()
  }

  /// Claims and runs indices of job `generation` until none is left.
  private func claimAndRun(_ generation: UInt64) {
    var word = job.load(ordering: .acquiring)
    while word >> 40 == generation {
      let (count, next) = (Int(word >> 20 & 0xFFFFF), Int(word & 0xFFFFF))
      guard next < count else { return }
      let (exchanged, current) = job.compareExchange(
        expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
      if exchanged {
        body?(next)
        completed.add(1, ordering: .releasing)
        word = job.load(ordering: .acquiring)
      } else {
        word = current
      }
    }
  }

  private func helperLoop() {
    var seen: UInt64 = 0
    while true {
      seen = waitForJob(after: seen)
      claimAndRun(seen)
    }
  }

  /// Spins for a while, then sleeps, until a generation after `seen` starts; returns it.
  private func waitForJob(after seen: UInt64) -> UInt64 {
    let start = Clock.now
    var spins = 0
    while true {
      let current = job.load(ordering: .acquiring) >> 40
      if current != seen { return current }
      spins += 1
      if spins & 1023 == 0 && Clock.secondsSince(start) > spinSeconds { break }
    }
    sleepLock.lock()
    defer { sleepLock.unlock() }
    while true {
      let current = job.load(ordering: .acquiring) >> 40
      if current != seen { return current }
      sleepLock.wait()
    }
  }
}
