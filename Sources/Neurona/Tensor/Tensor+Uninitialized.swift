// Creating a tensor whose every element the caller writes: skips zero-filling a buffer that
// is about to be overwritten (layer outputs of several MB, where the fill is a real cost).

extension Tensor {
  /// A tensor of `shape` whose elements `initialize` must all write.
  ///
  /// The buffer passed to `initialize` holds arbitrary values until written.
  init(uninitializedShape shape: [Int], _ initialize: (UnsafeMutableBufferPointer<Float>) -> Void) {
    let count = Tensor.count(of: shape)
    let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
      initialize(buffer)
      initializedCount = count
    }
    self.init(shape: shape, scalars: scalars)
  }
}
