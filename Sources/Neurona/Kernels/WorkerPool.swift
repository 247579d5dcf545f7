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
final class WorkerPool: @unchecked Sendable {
  /// Helper threads (the caller is the other worker).
  let helperCount: Int

  /// Bumped once per job; helpers wait for it to change.
  private let generation = Atomic<Int>(0)
  /// The next index of the current job not yet claimed.
  private let nextIndex = Atomic<Int>(0)
  /// Helpers still inside the current job.
  private let activeHelpers = Atomic<Int>(0)
  /// Whether a job is running (a second caller, or a nested call, runs serially instead).
  private let busy = Atomic<Bool>(false)

  /// The current job, written by the caller before `generation` is bumped.
  nonisolated(unsafe) private var body: ((Int) -> Void)?
  nonisolated(unsafe) private var count = 0

  private let sleepLock = NSCondition()
  /// How long a helper spins for the next job before it sleeps.
  private let spinSeconds = 5e-3

  init(helpers: Int) {
    helperCount = helpers
    for helper in 0..<helpers {
      let thread = Thread { [unowned self] in self.helperLoop() }
      thread.name = "neurona-worker-\(helper + 1)"
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  /// Runs `body(i)` for every `i` in `0..<count`, spread over the caller and the helpers, and
  /// returns when all are done. Runs serially on the caller when another job is in progress
  /// (a nested call, or a second thread), so that the cores are never oversubscribed.
  func run(_ count: Int, _ body: (Int) -> Void) {
    guard count > 1, helperCount > 0,
      busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else {
      for i in 0..<count { body(i) }
      return
    }
    withoutActuallyEscaping(body) { body in
      self.body = body
      self.count = count
      nextIndex.store(0, ordering: .relaxed)
      activeHelpers.store(helperCount, ordering: .relaxed)
      generation.add(1, ordering: .releasing)
      sleepLock.lock()
      sleepLock.broadcast()
      sleepLock.unlock()
      claimAndRun(body, count)
      while activeHelpers.load(ordering: .acquiring) > 0 {}
      self.body = nil
    }
    busy.store(false, ordering: .releasing)
  }

  /// Whether a job is in progress (a product inside it should not split itself again).
  var isBusy: Bool { busy.load(ordering: .relaxed) }

  private func claimAndRun(_ body: (Int) -> Void, _ count: Int) {
    while true {
      let i = nextIndex.add(1, ordering: .relaxed).oldValue
      guard i < count else { return }
      body(i)
    }
  }

  private func helperLoop() {
    var seen = 0
    while true {
      seen = waitForJob(after: seen)
      if let body { claimAndRun(body, count) }
      activeHelpers.subtract(1, ordering: .releasing)
    }
  }

  /// Spins for a while, then sleeps, until a generation after `seen` starts; returns it.
  private func waitForJob(after seen: Int) -> Int {
    let start = Clock.now
    var spins = 0
    while true {
      let current = generation.load(ordering: .acquiring)
      if current != seen { return current }
      spins += 1
      if spins & 1023 == 0 && Clock.secondsSince(start) > spinSeconds { break }
    }
    sleepLock.lock()
    defer { sleepLock.unlock() }
    while true {
      let current = generation.load(ordering: .acquiring)
      if current != seen { return current }
      sleepLock.wait()
    }
  }
}
