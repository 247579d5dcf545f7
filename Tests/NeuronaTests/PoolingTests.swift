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
