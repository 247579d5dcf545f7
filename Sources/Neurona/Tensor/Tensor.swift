// Tensor: the one array type of the core. Float32, contiguous, row-major, shape-checked.
// Images follow the NCHW convention: [batch, channels, height, width].
// Deliberately left out: strides, views, broadcasting and autograd. Layers do their own
// backward passes, so a tensor is only storage plus a shape.

/// A contiguous, row-major array of `Float` with a shape.
///
/// A value type: copies share storage until one of them is written (copy-on-write),
/// so passing tensors between layers is cheap.
public struct Tensor: Equatable, CustomStringConvertible {
  /// The extent of each dimension, outermost first.
  public private(set) var shape: [Int]
  /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
  public var scalars: [Float]

  /// Wraps `scalars` with `shape`; their counts must agree.
  public init(shape: [Int], scalars: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
    precondition(
      Tensor.count(of: shape) == scalars.count,
      "shape \(shape) needs \(Tensor.count(of: shape)) scalars, got \(scalars.count)")
    self.shape = shape
    self.scalars = scalars
  }

  /// A tensor of `shape` filled with `value`.
  public init(repeating value: Float, shape: [Int]) {
    self.init(shape: shape, scalars: [Float](repeating: value, count: Tensor.count(of: shape)))
  }

  /// A tensor of `shape` filled with zeros.
  public init(zeros shape: [Int]) {
    self.init(repeating: 0, shape: shape)
  }

  /// The number of elements a tensor of `shape` holds.
  public static func count(of shape: [Int]) -> Int {
    shape.reduce(1, *)
  }

  /// The number of elements.
  public var count: Int { scalars.count }

  /// The number of dimensions.
  public var rank: Int { shape.count }

  /// The same elements under another shape with the same element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, scalars: scalars)
  }

  /// Changes the shape in place; the element count must not change.
  public mutating func reshape(_ newShape: [Int]) {
    precondition(Tensor.count(of: newShape) == count, "cannot reshape \(shape) to \(newShape)")
    shape = newShape
  }

  /// Reads or writes the element at a full multi-index (slow: for tests and small code).
  public subscript(_ index: Int...) -> Float {
    get { scalars[flatIndex(index)] }
    set { scalars[flatIndex(index)] = newValue }
  }

  private func flatIndex(_ index: [Int]) -> Int {
    precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
    var flat = 0
    for (i, extent) in zip(index, shape) {
      precondition(i >= 0 && i < extent, "index \(index) out of range for shape \(shape)")
      flat = flat * extent + i
    }
    return flat
  }

  /// Rows `range` of the first dimension, e.g. a sub-batch of `[N, …]`.
  public func slice(_ range: Range<Int>) -> Tensor {
    precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0])
    let rowCount = count / Swift.max(shape[0], 1)
    var newShape = shape
    newShape[0] = range.count
    return Tensor(
      shape: newShape,
      scalars: Array(scalars[(range.lowerBound * rowCount)..<(range.upperBound * rowCount)]))
  }

  /// The rows `indices` of the first dimension gathered in that order (mini-batches).
  public func gathering(rows indices: [Int]) -> Tensor {
    precondition(rank >= 1)
    let rowCount = count / Swift.max(shape[0], 1)
    var newShape = shape
    newShape[0] = indices.count
    var result = [Float](repeating: 0, count: indices.count * rowCount)
    scalars.withUnsafeBufferPointer { source in
      result.withUnsafeMutableBufferPointer { destination in
        for (row, index) in indices.enumerated() {
          precondition(index >= 0 && index < shape[0], "row \(index) out of range \(shape[0])")
          let from = source.baseAddress! + index * rowCount
          (destination.baseAddress! + row * rowCount).update(from: from, count: rowCount)
        }
      }
    }
    return Tensor(shape: newShape, scalars: result)
  }

  /// Calls `body` with the elements as a read-only buffer (for hot loops).
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R)
    rethrows -> R
  {
    try scalars.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the elements as a writable buffer (for hot loops).
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer(body)
  }

  public var description: String {
    "Tensor\(shape)(\(scalars.prefix(8).map { "\($0)" }.joined(separator: ", "))\(count > 8 ? ", …" : ""))"
  }
}
