// Closeness checks shared by the test targets.
import Neurona

/// Whether every element of `actual` is within `tolerance` of `expected` (shapes equal).
public func isClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float) -> Bool {
  actual.shape == expected.shape && actual.maxAbsDifference(expected) <= tolerance
}

/// Whether every element of `actual` is within `tolerance` of `expected`.
public func isClose(_ actual: [Float], _ expected: [Float], tolerance: Float) -> Bool {
  actual.count == expected.count && zip(actual, expected).allSatisfy { abs($0 - $1) <= tolerance }
}
