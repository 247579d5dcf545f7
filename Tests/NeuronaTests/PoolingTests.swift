// Tests of MaxPool2D, AvgPool2D and GlobalAveragePool: NumPy goldens and gradient checks.
import Neurona
import NeuronaTestSupport
import Testing

/// Means of ≤ 9 values of order 1 in float32.
private let goldenTolerance: Float = 1e-5

/// The NumPy reference used for the golden values below.
///
///     import numpy as np
///     def pool(x, k, s, f):
///         N, C, H, W = x.shape
///         Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
///         return np.array([[[[f(x[n, c, i*s:i*s+k, j*s:j*s+k]) for j in range(Wo)]
///                            for i in range(Ho)] for c in range(C)] for n in range(N)])
///     x = ((np.arange(2 * 2 * 5 * 5) * 7) % 11).reshape(2, 2, 5, 5) / 4 - 1
private let goldenInput = Tensor(
  shape: [2, 2, 5, 5], scalars: (0..<100).map { Float(($0 * 7) % 11) / 4 - 1 })

@Test func maxPoolMatchesNumPy() {
  // print(pool(x, 2, 2, np.max).ravel().tolist())
  let expected: [Float] = [
    1.25, 1.5, 0.5, 1.25, 1.5, 1.25, 1.5, 1.0, 1.25, 1.5, 1.25, 0.75, 1.5, 1.25, 1.5, 0.5,
  ]
  let output = MaxPool2D(kernelSize: 2)(goldenInput)
  #expect(output.shape == [2, 2, 2, 2])
  #expect(output.scalars == expected)
}

@Test func avgPoolMatchesNumPy() {
  // print(pool(x, 3, 2, np.mean).ravel().round(6).tolist())
  let expected: [Float] = [
    0.027778, 0.472222, 0.111111, 0.25, 0.388889, 0.222222, 0.472222, 0.305556, 0.138889,
    0.277778, 0.222222, 0.361111, 0.194444, 0.027778, 0.277778, 0.111111,
  ]
  let output = AvgPool2D(kernelSize: 3, stride: 2)(goldenInput)
  #expect(output.shape == [2, 2, 2, 2])
  #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
}

@Test func globalAveragePoolMatchesNumPy() {
  // print(x.mean(axis=(2, 3)).ravel().round(6).tolist())
  let output = GlobalAveragePool()(goldenInput)
  #expect(output.shape == [2, 2])
  #expect(isClose(output.scalars, [0.2, 0.28, 0.25, 0.22], tolerance: goldenTolerance))
}

@Test func maxPoolSendsTheGradientToTheWinner() {
  let input = Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 2, 3, 4, 9, 0])
  let layer = MaxPool2D(kernelSize: 2)
  #expect(layer.forward(input, mode: .training).scalars == [5, 9])
  let gradient = layer.backward(Tensor(shape: [1, 1, 1, 2], scalars: [10, 20]))
  #expect(gradient.scalars == [0, 10, 0, 0, 0, 0, 20, 0])
}

// Random inputs have no ties, and ε = 1e-3 cannot reorder values that far apart.
@Test(arguments: [(2, 2), (3, 2), (2, 1)])
func maxPoolGradients(kernel: Int, stride: Int) {
  let layer = MaxPool2D(kernelSize: kernel, stride: stride)
  let mismatches = checkGradients(of: layer, input: randomTensor([2, 2, 5, 6], seed: 3))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

@Test(arguments: [(2, 2), (3, 2), (2, 1)])
func avgPoolGradients(kernel: Int, stride: Int) {
  let layer = AvgPool2D(kernelSize: kernel, stride: stride)
  let mismatches = checkGradients(of: layer, input: randomTensor([2, 2, 5, 6], seed: 3))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

@Test func globalAveragePoolGradients() {
  let mismatches = checkGradients(of: GlobalAveragePool(), input: randomTensor([2, 3, 4, 5]))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

/// Max pooling written the plain way (window row by row, strictly greater wins, so a tie
/// keeps the first input, as PyTorch): the outputs, and the input gradient for `dy`.
private func referenceMaxPool(_ x: Tensor, kernel k: Int, stride s: Int, dy: Tensor?)
  -> (output: [Float], gradient: [Float])
{
  let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
  let (outH, outW) = ((h - k) / s + 1, (w - k) / s + 1)
  var output = [Float](repeating: 0, count: planes * outH * outW)
  var gradient = [Float](repeating: 0, count: x.count)
  for plane in 0..<planes {
    for i in 0..<outH {
      for j in 0..<outW {
        var best = plane * h * w + i * s * w + j * s
        for u in 0..<k {
          for v in 0..<k {
            let at = plane * h * w + (i * s + u) * w + j * s + v
            if x.scalars[at] > x.scalars[best] { best = at }
          }
        }
        let out = (plane * outH + i) * outW + j
        output[out] = x.scalars[best]
        if let dy { gradient[best] += dy.scalars[out] }
      }
    }
  }
  return (output, gradient)
}

/// Integer-valued inputs from a small set, so that most windows hold ties.
private func tiedTensor(_ shape: [Int], seed: Int) -> Tensor {
  Tensor(shape: shape, scalars: (0..<Tensor.count(of: shape)).map { Float(($0 * 37 + seed) % 5) })
}

// The 2×2 stride-2 path runs eight outputs at a time, four at a time, or one by one
// depending on the row length: every output-row length from 1 to 19, odd input sizes.
@Test(arguments: [2, 3, 5, 7, 8, 9, 10, 15, 16, 17, 18, 31, 33, 39])
func maxPool2x2MatchesTheReference(width: Int) {
  let input = tiedTensor([2, 3, 5, width], seed: width)
  let dy = randomTensor([2, 3, 2, width / 2], seed: 5)
  let expected = referenceMaxPool(input, kernel: 2, stride: 2, dy: dy)
  let layer = MaxPool2D(kernelSize: 2)
  #expect(layer.forward(input, mode: .inference).scalars == expected.output)
  #expect(layer.forward(input, mode: .training).scalars == expected.output)
  #expect(layer.backward(dy).scalars == expected.gradient)
}

// Inputs of ≥ 64K floats are split into plane ranges shared by the workers: the result
// must not change, for the 2×2 path and the general one (overlapping windows included).
@Test(arguments: [(2, 2), (3, 2), (2, 1), (3, 3)])
func maxPoolOfABigInputMatchesTheReference(kernel: Int, stride: Int) {
  let input = tiedTensor([3, 17, 37, 45], seed: kernel)
  let layer = MaxPool2D(kernelSize: kernel, stride: stride)
  let output = layer.forward(input, mode: .training)
  let dy = randomTensor(output.shape, seed: 9)
  let expected = referenceMaxPool(input, kernel: kernel, stride: stride, dy: dy)
  #expect(output.scalars == expected.output)
  #expect(layer.backward(dy).scalars == expected.gradient)
  #expect(layer.forward(input, mode: .inference).scalars == expected.output)
}

// Above 64K floats the planes are shared between the workers.
@Test func globalAveragePoolOfABigInputMatchesTheMeans() {
  let input = randomTensor([4, 20, 30, 30], seed: 6)
  let layer = GlobalAveragePool()
  let output = layer.forward(input, mode: .training)
  let means = (0..<80).map { plane in
    Float(input.scalars[(plane * 900)..<((plane + 1) * 900)].reduce(0.0) { $0 + Double($1) } / 900)
  }
  #expect(isClose(output.scalars, means, tolerance: 1e-6))
  let dy = randomTensor([4, 20], seed: 7)
  let dx = layer.backward(dy)
  #expect(dx.scalars == (0..<input.count).map { dy.scalars[$0 / 900] / 900 })
}
