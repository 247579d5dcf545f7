// Wall-clock timing for training reports and benchmarks (monotonic).
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A monotonic clock in seconds.
public enum Clock {
  /// Seconds on a monotonic clock with an arbitrary origin.
  public static var now: Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
  }

  /// Seconds elapsed since `start` (a value of `now`).
  public static func secondsSince(_ start: Double) -> Double { now - start }
}
