// Tests of Upsample: nearest and bilinear (PyTorch's align_corners=False) against NumPy,
// and gradient checks.
import Neurona
import NeuronaTestSupport
import Testing

/// Interpolations of values ≤ 12 in float32.
private let goldenTolerance: Float = 1e-5

/// The NumPy reference used for the golden values below.
///
///     import numpy as np
///     def bilinear_taps(n, s):
///         u = np.maximum((np.arange(n * s) + 0.5) / s - 0.5, 0)
///         i0 = np.minimum(np.floor(u).astype(int), n - 1)
///         return i0, np.minimum(i0 + 1, n - 1), u - i0
///     def upsample_bilinear(x, s):
///         r0, r1, ly = bilinear_taps(x.shape[2], s)
///         c0, c1, lx = bilinear_taps(x.shape[3], s)
///         rows = x[:, :, r0, :] * (1 - ly)[:, None] + x[:, :, r1, :] * ly[:, None]
///         return rows[:, :, :, c0] * (1 - lx) + rows[:, :, :, c1] * lx
///     x = (np.arange(1 * 2 * 2 * 3) ** 2).reshape(1, 2, 2, 3) / 10
private let goldenInput = Tensor(
  shape: [1, 2, 2, 3], scalars: (0..<12).map { Float($0 * $0) / 10 })

@Test func bilinearUpsampleMatchesNumPy() {
  // print(upsample_bilinear(x, 2).ravel().round(6).tolist())
  let expected: [Float] = [
    0.0, 0.025, 0.075, 0.175, 0.325, 0.4, 0.225, 0.2875, 0.4125, 0.5875, 0.8125, 0.925, 0.675,
    0.8125, 1.0875, 1.4125, 1.7875, 1.975, 0.9, 1.075, 1.425, 1.825, 2.275, 2.5, 3.6, 3.925,
    4.575, 5.275, 6.025, 6.4, 4.725, 5.0875, 5.8125, 6.5875, 7.4125, 7.825, 6.975, 7.4125,
    8.2875, 9.2125, 10.1875, 10.675, 8.1, 8.575, 9.525, 10.525, 11.575, 12.1,
  ]
  let output = Upsample(scale: 2, method: .bilinear)(goldenInput)
  #expect(output.shape == [1, 2, 4, 6])
  #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
}

@Test func bilinearUpsampleByThreeMatchesNumPy() {
  // print(upsample_bilinear(x[:, :1, :, :2], 3).ravel().round(6).tolist())
  let expected: [Float] = [
    0.0, 0.0, 0.033333, 0.066667, 0.1, 0.1, 0.0, 0.0, 0.033333, 0.066667, 0.1, 0.1, 0.3, 0.3,
    0.4, 0.5, 0.6, 0.6, 0.6, 0.6, 0.766667, 0.933333, 1.1, 1.1, 0.9, 0.9, 1.133333, 1.366667,
    1.6, 1.6, 0.9, 0.9, 1.133333, 1.366667, 1.6, 1.6,
  ]
  let input = Tensor(shape: [1, 1, 2, 2], scalars: [0, 0.1, 0.9, 1.6])
  let output = Upsample(scale: 3, method: .bilinear)(input)
  #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
}

@Test func nearestUpsampleMatchesNumPy() {
  // print(x.repeat(2, axis=2).repeat(2, axis=3).ravel().round(6).tolist())
  let expected: [Float] = [
    0.0, 0.0, 0.1, 0.1, 0.4, 0.4, 0.0, 0.0, 0.1, 0.1, 0.4, 0.4, 0.9, 0.9, 1.6, 1.6, 2.5, 2.5,
    0.9, 0.9, 1.6, 1.6, 2.5, 2.5, 3.6, 3.6, 4.9, 4.9, 6.4, 6.4, 3.6, 3.6, 4.9, 4.9, 6.4, 6.4,
    8.1, 8.1, 10.0, 10.0, 12.1, 12.1, 8.1, 8.1, 10.0, 10.0, 12.1, 12.1,
  ]
  #expect(isClose(Upsample(scale: 2)(goldenInput).scalars, expected, tolerance: goldenTolerance))
}

@Test(arguments: [(Upsample.Method.nearest, 2), (.bilinear, 2), (.bilinear, 3)])
func upsampleGradients(method: Upsample.Method, scale: Int) {
  let layer = Upsample(scale: scale, method: method)
  let mismatches = checkGradients(of: layer, input: randomTensor([2, 2, 3, 4], seed: 6))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}
