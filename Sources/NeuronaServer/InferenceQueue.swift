// The threads that run the model: one per core, each with its own copy of the model (a
// model's layers keep scratch memory and may not run on two threads at once). Requests are
// started in arrival order. Alone, a request's forward shares its work between every core
// (ComputeThreads); under load each core runs its own request and the work inside runs on
// it alone (ComputeThreads runs a second caller's parallel work serially), as `segment`
// does over a folder. At most `limit` requests wait for a free worker; past that the server
// answers 503 at once instead of letting latency grow without bound.
import Foundation

/// Worker threads, each with its own endpoint (model copy), and a bounded queue of jobs.
final class InferenceQueue: @unchecked Sendable {
  /// One submitted job; cancelling it before it starts makes the worker skip it.
  final class Ticket: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    /// Marks the job as no longer wanted (its client timed out or left).
    func cancel() { lock.withLock { cancelled = true } }

    /// Whether `cancel()` was called.
    var isCancelled: Bool { lock.withLock { cancelled } }
  }

  private let condition = NSCondition()
  private var jobs: [(ticket: Ticket, work: (ImageEndpoint) -> Void)] = []
  private var running = 0
  private var stopped = false
  private let workers: Int
  /// Mean seconds a job took (exponentially weighted), for `Retry-After`.
  private var meanSeconds = 0.1
  /// How many jobs may wait for a free worker.
  let limit: Int

  /// Starts one worker thread per endpoint.
  init(endpoints: [ImageEndpoint], limit: Int) {
    self.limit = limit
    workers = endpoints.count
    for (i, endpoint) in endpoints.enumerated() {
      let thread = Thread { self.serve(endpoint) }
      thread.name = "inference-\(i)"
      thread.stackSize = 16 << 20
      thread.start()
    }
  }

  /// Queues `work` (called with the worker's own endpoint), or returns nil when `limit` jobs
  /// are already waiting (with limit 0: whenever every worker is busy).
  func submit(_ work: @escaping (ImageEndpoint) -> Void) -> Ticket? {
    condition.lock()
    defer { condition.unlock() }
    // Free workers take jobs at once; `limit` more may wait.
    guard !stopped, jobs.count + running < workers + limit else { return nil }
    let ticket = Ticket()
    jobs.append((ticket, work))
    condition.signal()
    return ticket
  }

  /// Jobs waiting for a worker.
  var waiting: Int { condition.withLock { jobs.count } }

  /// Seconds until a request refused now would likely be served: for `Retry-After`.
  var suggestedRetrySeconds: Int {
    condition.withLock {
      max(1, Int((Double(jobs.count + workers) * meanSeconds / Double(workers)).rounded(.up)))
    }
  }

  /// Lets the workers finish the queued jobs, then end.
  func stop() {
    condition.withLock {
      stopped = true
      condition.broadcast()
    }
  }

  private func serve(_ endpoint: ImageEndpoint) {
    while true {
      condition.lock()
      while jobs.isEmpty && !stopped { condition.wait() }
      if jobs.isEmpty {
        condition.unlock()
        return
      }
      let job = jobs.removeFirst()
      running += 1
      condition.unlock()
      let started = DispatchTime.now().uptimeNanoseconds
      if !job.ticket.isCancelled { job.work(endpoint) }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
      condition.withLock {
        running -= 1
        meanSeconds = 0.8 * meanSeconds + 0.2 * seconds
      }
    }
  }
}
