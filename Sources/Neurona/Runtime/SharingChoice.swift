// SharingChoice: whether a piece of work that repeats — a network's forward pass on inputs of
// one shape — runs faster shared between the cores or on one, decided by timing it both ways
// as it runs.
//
// Why not a fixed rule: the machines this project runs on are virtual, and their two cores
// sometimes sit on one die and sometimes on two (a 60 ns round trip between them, or 330 ns,
// switching every few seconds; `scripts/core-round-trip.c` measures it). On two dies, every
// hand-over of a layer's rows between the cores goes through memory, and small inference
// runs slower on two cores than on one — the person model at 260 frames/s against 425 on one
// core, FashionNet at batch 1 at 10 500 images/s against 11 900 — while big work (the U-Net,
// batches, training) still gains from the second core. The same holds for any pair of
// cores with a slow link between them, or a second core busy with another program.
//
// Both ways cut the work into the same pieces (ComputeThreads.serially runs a shared job's
// pieces in turn), so the choice changes the time, not the result.
import Foundation

/// Times a repeated piece of work shared between the cores and on the calling one alone, and
/// runs it the faster way, trying the other way again now and then (the cores' placement
/// changes while a program runs). One record per shape of work (SharingTimes).
public final class SharingChoice: @unchecked Sendable {
  /// Whether choices are measured (the default) or work is always shared:
  /// `NEURONA_SHARING=always` forces the shared way, to time it alone.
  public static let measures = ProcessInfo.processInfo.environment["NEURONA_SHARING"] != "always"

  private var records: [[Int]: SharingTimes] = [:]
  private let lock = NSLock()

  public init() {}

  /// Runs `body`, work of the given `shape` (the input's, or any key that tells apart work of
  /// different sizes), shared between the cores or alone, whichever has been faster for
  /// that shape. The first call of a shape is shared and not timed (it allocates).
  public func run<T>(shape: [Int], _ body: () throws -> T) rethrows -> T {
    guard SharingChoice.measures, ComputeThreads.workers > 1 else { return try body() }
    guard let times = lock.withLock({ records[shape] }) else {
      let result = try body()
      lock.withLock { records[shape] = SharingTimes() }
      return result
    }
    let alone = times.nextRunsAlone
    let start = Clock.now
    let result = alone ? try ComputeThreads.serially(body) : try body()
    let seconds = Clock.secondsSince(start)
    lock.withLock { records[shape, default: times].record(seconds, alone: alone) }
    return result
  }

  /// `network`'s inference on `input`, shared or alone as measured for the input's shape.
  public func infer(_ network: Layer, _ input: Tensor) -> Tensor {
    run(shape: input.shape) { network.forward(input, mode: .inference) }
  }

  /// Whether work of `shape` currently runs alone: nil before it was timed both ways.
  public func runsAlone(shape: [Int]) -> Bool? {
    lock.withLock { records[shape]?.aloneIsFaster }
  }
}

/// The running times of one piece of work shared and alone, and which way its next call
/// takes: each way once, then the faster one, and the slower one again as often as costs at
/// most `retryCost` of the time.
public struct SharingTimes: Sendable {
  /// The share of time the tries of the slower way may cost: with the two ways t and r·t
  /// apart, one try every (r − 1) / retryCost calls, so that a change of placement is noticed
  /// within that many calls (at least `fewestCallsPerRetry`, at most `mostCallsPerRetry`).
  public static let retryCost = 0.02
  public static let fewestCallsPerRetry = 16
  public static let mostCallsPerRetry = 256

  /// How a new time of the faster way weighs against its running mean: one slow call
  /// (another program taking the core for a moment) does not flip the choice. A retry of the
  /// slower way replaces its time: the old one is stale.
  public static let weightOfNewTime = 0.3

  /// Running mean seconds per call, shared and alone; nil until timed.
  public private(set) var shared: Double?
  public private(set) var alone: Double?
  /// Calls the faster way has run since the slower one was last tried.
  private var sinceRetry = 0

  public init() {}

  /// Whether the faster way is alone; nil before both were timed.
  public var aloneIsFaster: Bool? {
    guard let shared, let alone else { return nil }
    return alone < shared
  }

  /// Whether the next call runs alone.
  public var nextRunsAlone: Bool {
    guard let shared, let alone else { return shared != nil }
    let faster = alone < shared
    let ratio = Swift.max(shared, alone) / Swift.min(shared, alone)
    return sinceRetry >= SharingTimes.callsPerRetry(ratio) ? !faster : faster
  }

  /// Adds a call's time, taken `alone` or shared.
  public mutating func record(_ seconds: Double, alone ranAlone: Bool) {
    let ranFaster = aloneIsFaster.map { $0 == ranAlone } ?? false
    let w = ranFaster ? SharingTimes.weightOfNewTime : 1
    if ranAlone {
      alone = alone.map { (1 - w) * $0 + w * seconds } ?? seconds
    } else {
      shared = shared.map { (1 - w) * $0 + w * seconds } ?? seconds
    }
    sinceRetry = ranFaster ? sinceRetry + 1 : 0
  }

  /// Calls between two tries of the slower way when it takes `ratio` times as long.
  static func callsPerRetry(_ ratio: Double) -> Int {
    let calls = ((ratio - 1) / retryCost).rounded(.up)
    return Int(Swift.min(Double(mostCallsPerRetry), Swift.max(Double(fewestCallsPerRetry), calls)))
  }
}
