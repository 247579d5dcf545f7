// Creating a tensor whose every element the caller writes: skips zero-filling a buffer that
// is about to be overwritten (layer outputs of several MB, where the fill is a real cost).

extension Tensor {
  /// A tensor of `shape` whose elements `initialize` must all write.
  ///
  /// The buffer passed to `initialize` holds arbitrary values until written; for an empty
  /// shape `initialize` is not called.
  init(uninitializedShape shape: [Int], _ initialize: (UnsafeMutableBufferPointer<Float>) -> Void) {
    let count = Tensor.count(of: shape)
    // Nothing to write. (An empty array is the shared empty storage, whose count the
    // initializer below would set — to 0, but from every thread at once, which
    // ThreadSanitizer reports as a race.)
    guard count > 0 else {
      self.init(shape: shape, scalars: [])
      return
    }
    let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
      initialize(buffer)
      initializedCount = count
    }
    self.init(shape: shape, scalars: scalars)
  }
}
