// The processes one training run is spread over (data parallelism: MPI ranks, each with a
// whole copy of the model and a part of every batch), the two collectives a synchronous run
// needs, and which rows of the global batch this process holds, so every random choice can be
// tied to the example rather than to the process that happens to handle it.
// Not here: starting processes (mpirun does) or loading an MPI library (Runtime/OpenMPI.swift).
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A fixed set of processes that train one model together, each knowing its rank.
public protocol ProcessGroup: AnyObject {
  /// This process's number, 0..<size; rank 0 alone writes files and prints progress.
  var rank: Int { get }
  /// How many processes.
  var size: Int { get }
  /// Replaces each element of `values` by its sum over every process (all must call it with
  /// the same count, in the same order).
  /// - Throws: `ProcessGroupError` when a peer is gone.
  func sum(_ values: UnsafeMutableBufferPointer<Float>) throws
  /// The same for doubles (loss sums, batch statistics).
  func sum(_ values: UnsafeMutableBufferPointer<Double>) throws
  /// Wall-clock seconds spent in collectives so far, waiting for slower peers included (the
  /// communication share of a step).
  var collectiveSeconds: Double { get }
  /// Leaves the group after a run that ended well (MPI_Finalize).
  func finish()
}

/// A collective that failed: a peer died or the transport broke.
public struct ProcessGroupError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// The group of one: every collective is the identity.
public final class SingleProcess: ProcessGroup {
  public init() {}
  public var rank: Int { 0 }
  public var size: Int { 1 }
  public func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {}
  public func sum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
  public var collectiveSeconds: Double { 0 }
  public func finish() {}
}

extension ProcessGroup {
  /// Sums an array over every process.
  public func sum(_ values: inout [Float]) throws {
    try values.withUnsafeMutableBufferPointer { try sum($0) }
  }

  /// Sums an array over every process.
  public func sum(_ values: inout [Double]) throws {
    try values.withUnsafeMutableBufferPointer { try sum($0) }
  }

  /// The rows `lower..<upper` of a global batch of `count` this process takes: contiguous
  /// parts, the first `count % size` ranks one row more.
  public func share(of count: Int) -> Range<Int> {
    let base = count / size
    let extra = count % size
    let lower = rank * base + min(rank, extra)
    return lower..<(lower + base + (rank < extra ? 1 : 0))
  }
}

/// Where the rows a layer sees sit in the global batch, set by the trainer around each
/// training step. Dropout (and any other per-example randomness) seeds row r from
/// `firstRow + r`, so the masks of one example are the same whichever process holds it; and
/// batch statistics (BatchNorm) are summed over `group` so they are the whole batch's.
/// Process-wide, and set only inside a data-parallel step (an mpirun rank trains one model);
/// a process that trains alone, even several models side by side, leaves it at its defaults.
public enum GlobalBatch {
  /// The global row of this process's row 0 (0 when one process holds the whole batch).
  nonisolated(unsafe) public static var firstRow = 0
  /// The group whose processes share the batch in the current training step (nil: alone).
  nonisolated(unsafe) public static var group: ProcessGroup?
  /// This process's rows and the global batch's, in the current step (nil: alone).
  nonisolated(unsafe) public static var rows: (local: Int, global: Int)?

  /// What a loss computed over the whole global batch multiplies its gradient by, so that the
  /// trainer's scaling of every loss gradient by this process's share of the batch leaves it
  /// whole: global rows / local rows (1 alone).
  public static var unshare: Double {
    guard let rows, rows.local > 0 else { return 1 }
    return Double(rows.global) / Double(rows.local)
  }

  /// Sums `values` over the current step's group (nothing alone), from inside a layer or a
  /// loss, which cannot throw: a lost peer ends this process with the reason in one line (the
  /// last checkpoint is intact; rank 0 writes it only between steps).
  public static func sum(_ values: inout [Double]) {
    guard let group, group.size > 1 else { return }
    do { try group.sum(&values) } catch {
      fputs("Error: \(error)\n", stderr)
      exit(1)
    }
  }
}

/// A 64-bit mix of two values (SplitMix64's finaliser over their combination): a seed per
/// (draw, example) that neighbouring examples do not correlate through.
public func mixedSeed(_ a: UInt64, _ b: UInt64) -> UInt64 {
  var z = a &+ 0x9E37_79B9_7F4A_7C15 &* (b &+ 1)
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}
