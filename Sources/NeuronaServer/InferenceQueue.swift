// The one thread that runs the model. Requests are answered in arrival order: a model's
// layers keep scratch memory and may not run on two threads at once, and one forward already
// shares its work between every core (ComputeThreads), so a second thread would only slow
// both. At most `limit` requests wait behind the running one; past that the server answers
// 503 at once instead of letting latency grow without bound.
import Foundation

/// A serial queue of inference jobs with a bounded number waiting.
final class InferenceQueue: @unchecked Sendable {
  /// One submitted job; cancelling it before it starts makes the thread skip it.
  final class Ticket: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    /// Marks the job as no longer wanted (its client timed out or left).
    func cancel() { lock.withLock { cancelled = true } }

    /// Whether `cancel()` was called.
    var isCancelled: Bool { lock.withLock { cancelled } }
  }

  private let condition = NSCondition()
  private var jobs: [(ticket: Ticket, work: () -> Void)] = []
  private var busy = false
  private var stopped = false
  /// Mean seconds a job took (exponentially weighted), for `Retry-After`.
  private var meanSeconds = 0.1
  /// How many jobs may wait behind the running one.
  let limit: Int

  /// Starts the inference thread.
  init(limit: Int) {
    self.limit = limit
    let thread = Thread { self.serve() }
    thread.name = "inference"
    thread.stackSize = 16 << 20
    thread.start()
  }

  /// Queues `work`, or returns nil when `limit` jobs are already waiting (a job is only
  /// refused with limit 0 if the model is busy).
  func submit(_ work: @escaping () -> Void) -> Ticket? {
    condition.lock()
    defer { condition.unlock() }
    guard !stopped, jobs.count < limit || (jobs.isEmpty && !busy) else { return nil }
    let ticket = Ticket()
    jobs.append((ticket, work))
    condition.signal()
    return ticket
  }

  /// Jobs waiting (not counting the running one).
  var waiting: Int { condition.withLock { jobs.count } }

  /// Seconds until a request refused now would likely be served: for `Retry-After`.
  var suggestedRetrySeconds: Int {
    condition.withLock { max(1, Int((Double(jobs.count + 1) * meanSeconds).rounded(.up))) }
  }

  /// Lets the thread finish the queued jobs, then end.
  func stop() {
    condition.withLock {
      stopped = true
      condition.signal()
    }
  }

  private func serve() {
    while true {
      condition.lock()
      while jobs.isEmpty && !stopped { condition.wait() }
      if jobs.isEmpty {
        condition.unlock()
        return
      }
      let job = jobs.removeFirst()
      busy = true
      condition.unlock()
      let started = DispatchTime.now().uptimeNanoseconds
      if !job.ticket.isCancelled { job.work() }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
      condition.withLock {
        busy = false
        meanSeconds = 0.8 * meanSeconds + 0.2 * seconds
      }
    }
  }
}
