// ParallelPasses: splitting the memory-bound passes (pooling, batch normalisation, ReLU,
// concatenation, optimiser steps) into contiguous ranges shared by the workers
// (ComputeThreads.parallel). A pass over a few thousand floats takes a few microseconds,
// less than waking the other worker, so small passes stay on the calling thread.
// What is split is always a range of whole items (planes, channels, images, element
// blocks), never a sum, so results do not depend on how many workers there are.

/// Contiguous ranges of a pass, run on the workers when the pass is big enough.
enum ParallelPasses {
  /// A pass touching fewer floats than this runs on the calling thread (~64K floats: about
  /// 10 µs of memory traffic, several times the cost of handing out a job).
  static let minimumElements = 1 << 16

  /// Ranges handed out per worker: more than one, so that a worker slowed down by another
  /// process leaves its share to the others.
  static let rangesPerWorker = 4

  /// Calls `body` on consecutive ranges covering `0..<count` — all on the calling thread
  /// when `count · elementsPerItem` is below `minimumElements`, else split into a few
  /// ranges per worker that run concurrently. Ranges start at multiples of `alignment`.
  static func forEachRange(
    _ count: Int, elementsPerItem: Int, alignment: Int = 1, _ body: (Range<Int>) -> Void
  ) {
    guard count > 0 else { return }
    let workers = ComputeThreads.workers
    guard workers > 1, count > alignment, count * elementsPerItem >= minimumElements else {
      return body(0..<count)
    }
    let parts = Swift.min(workers * rangesPerWorker, (count + alignment - 1) / alignment)
    let length = ((count + parts - 1) / parts + alignment - 1) / alignment * alignment
    ComputeThreads.parallel((count + length - 1) / length) { part in
      body((part * length)..<Swift.min(count, (part + 1) * length))
    }
  }
}
