// Element-wise arithmetic and reductions used outside the hot loops: losses, optimisers,
// tests and reports. Layers with tight inner loops use unsafe buffers or BLAS instead.

extension Tensor {
  /// Applies `transform` to every element.
  public func map(_ transform: (Float) -> Float) -> Tensor {
    Tensor(shape: shape, scalars: scalars.map(transform))
  }

  /// Combines two tensors of the same shape element by element.
  public func zipWith(_ other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
    precondition(shape == other.shape, "shapes differ: \(shape) vs \(other.shape)")
    return Tensor(shape: shape, scalars: zip(scalars, other.scalars).map(combine))
  }

  /// Element-wise sum.
  public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipWith(rhs, +) }
  /// Element-wise difference.
  public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipWith(rhs, -) }
  /// Element-wise (Hadamard) product.
  public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipWith(rhs, *) }
  /// Every element times a scalar.
  public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 * rhs } }

  /// Adds `other` into `self`, element by element (gradient accumulation).
  public mutating func add(_ other: Tensor) {
    precondition(shape == other.shape, "shapes differ: \(shape) vs \(other.shape)")
    withUnsafeMutableBufferPointer { target in
      other.withUnsafeBufferPointer { source in
        // Plain pointers, not the captured buffers: through those the compiler reloads the
        // base address on every element and cannot vectorise the loop.
        let count = source.count
        guard let target = target.baseAddress, let source = source.baseAddress else { return }
        // Big gradients (a U-Net's skip connections) are split between the workers.
        ParallelPasses.forEachRange(count, elementsPerItem: 2, alignment: 64) { range in
          for i in range { target[i] += source[i] }
        }
      }
    }
  }

  /// Sets every element to zero, keeping the shape.
  public mutating func zero() {
    withUnsafeMutableBufferPointer { buffer in buffer.update(repeating: 0) }
  }

  /// The sum of all elements, accumulated in Double.
  public func sum() -> Double {
    scalars.reduce(0.0) { $0 + Double($1) }
  }

  /// The sum of squares of all elements, accumulated in Double.
  public func squaredNorm() -> Double {
    scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
  }

  /// The largest absolute difference to `other` (for tests and golden checks).
  public func maxAbsDifference(_ other: Tensor) -> Float {
    precondition(shape == other.shape, "shapes differ: \(shape) vs \(other.shape)")
    return zip(scalars, other.scalars).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
  }

  /// For a `[N, K]` tensor, the index of the largest element of each row.
  public func argmaxRows() -> [Int] {
    precondition(rank == 2, "argmaxRows needs [N, K], got \(shape)")
    let (rows, columns) = (shape[0], shape[1])
    return (0..<rows).map { row in
      var best = 0
      for column in 1..<columns
      where scalars[row * columns + column] > scalars[row * columns + best] {
        best = column
      }
      return best
    }
  }

  /// Whether every element is finite (no NaN or infinity).
  public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}
