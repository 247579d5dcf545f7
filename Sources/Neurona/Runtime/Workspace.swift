// Workspace: scratch memory a layer allocates once and reuses on every call (im2col columns,
// staging buffers), so the hot path of a convolution never allocates. It grows to the largest
// size asked for and never shrinks; it is not thread-safe (one workspace per layer).

/// A growable scratch buffer of `Float`s owned by one layer.
public final class Workspace {
  private var storage: UnsafeMutablePointer<Float>
  /// How many floats the buffer holds now.
  public private(set) var capacity: Int

  /// An empty workspace; memory comes with the first `reserve`.
  public init() {
    storage = .allocate(capacity: 1)
    capacity = 0
  }

  deinit { storage.deallocate() }

  /// A buffer of at least `count` floats, reallocated only when it must grow.
  ///
  /// The contents are unspecified (stale data from an earlier call): callers overwrite it.
  /// The pointer stays valid until the next `reserve` that grows the buffer.
  public func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
    if count > capacity {
      storage.deallocate()
      storage = .allocate(capacity: count)
      storage.initialize(repeating: 0, count: count)
      capacity = count
    }
    return storage
  }
}
