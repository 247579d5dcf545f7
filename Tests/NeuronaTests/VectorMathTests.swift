import Neurona
import Testing

// The vectorised exp, sigmoid and tanh against libm over the range a network meets, the
// saturated ends and lengths that leave a partial group of eight.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A few Float ulps of values of order 1 (the polynomial's error is about one).
private let absoluteTolerance: Float = 3e-7
/// exp is compared relatively: its values span 1e-38 … 1e38.
private let relativeTolerance: Float = 4e-7

@Test(arguments: [1, 7, 8, 13, 1001])
func vectorMathMatchesLibm(count: Int) {
  // Evenly spread over [−20, 20], plus the extremes and zero.
  var x = (0..<count).map { -20 + 40 * Float($0) / Float(max(count - 1, 1)) }
  x[0] = count > 2 ? -200 : 0.3
  if count > 3 { x[count / 2] = 0 }
  var y = [Float](repeating: .nan, count: count)
  VectorMath.sigmoid(x, into: &y, count: count)
  for k in 0..<count {
    #expect(abs(y[k] - 1 / (1 + expf(-x[k]))) <= absoluteTolerance, "sigmoid(\(x[k])) = \(y[k])")
  }
  VectorMath.tanh(x, into: &y, count: count)
  for k in 0..<count {
    #expect(abs(y[k] - tanhf(x[k])) <= absoluteTolerance, "tanh(\(x[k])) = \(y[k])")
  }
  let small = x.map { $0 * 4 }  // ±80: near the ends of Float's exponent range
  VectorMath.exp(small, into: &y, count: count)
  // Below −87.3 the input is clamped: e^x stays the smallest normal Float instead of 0.
  for k in 0..<count where small[k] < -87.3 { #expect(y[k] > 0 && y[k] < 2e-38) }
  for k in 0..<count where small[k] >= -87.3 {
    let expected = expf(small[k])
    #expect(abs(y[k] - expected) <= relativeTolerance * expected, "exp(\(small[k])) = \(y[k])")
  }
}

@Test func vectorMathSaturatesInsteadOfOverflowing() {
  let x: [Float] = [
    -1e30, -100, 100, 1e30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0, 1,
  ]
  var y = [Float](repeating: .nan, count: x.count)
  VectorMath.sigmoid(x, into: &y, count: x.count)
  // e^x is clamped at e^88.3, so the low end is 1 / (1 + e^88.3) ≈ 4e-39 rather than 0.
  #expect([y[0], y[1], y[5]].allSatisfy { $0 >= 0 && $0 < 1e-38 })
  #expect([y[2], y[3], y[4]] == [1, 1, 1])
  VectorMath.tanh(x, into: &y, count: x.count)
  #expect(y.prefix(6) == [-1, -1, 1, 1, 1, -1])
  #expect(y[6] == 0)
}
