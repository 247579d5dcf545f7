// Tests of ConvTranspose2D: golden values from NumPy, finite-difference gradients, and its
// defining property, being the adjoint of Conv2D's input gradient.
import Neurona
import NeuronaTestSupport
import Testing

/// Float32 sums of a handful of products of order 1 round far below this.
private let goldenTolerance: Float = 1e-5

/// The NumPy reference used for the golden values below (PyTorch's ConvTranspose2d).
///
///     import numpy as np
///     def conv_transpose2d(x, w, b, s, p, op=0):
///         N, C, H, W = x.shape
///         _, O, kh, kw = w.shape
///         full = np.zeros((N, O, (H - 1) * s + kh + op, (W - 1) * s + kw + op))
///         for i in range(H):
///             for j in range(W):
///                 full[:, :, i*s:i*s+kh, j*s:j*s+kw] += np.einsum(
///                     'nc,cokl->nokl', x[:, :, i, j], w)
///         Ho, Wo = full.shape[2] - 2 * p, full.shape[3] - 2 * p
///         return full[:, :, p:p+Ho, p:p+Wo] + b[None, :, None, None]
///     x = np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2) / 10
///     b = np.array([0.5, -1.0])
private let goldenInput = Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map { Float($0) / 10 })
private let goldenBias = Tensor(shape: [2], scalars: [0.5, -1.0])

@Test func convTranspose2DKernel2Stride2MatchesNumPy() {
  // w = (np.arange(3 * 2 * 2 * 2).reshape(3, 2, 2, 2) - 12) / 10
  let weight = Tensor(shape: [3, 2, 2, 2], scalars: (0..<24).map { Float($0 - 12) / 10 })
  let layer = ConvTranspose2D(weight: weight, bias: goldenBias, stride: 2)
  // print(conv_transpose2d(x, w, b, 2, 0).ravel().round(6).tolist())
  let expected: [Float] = [
    0.66, 0.78, 0.54, 0.69, 0.9, 1.02, 0.84, 0.99, 0.42, 0.6, 0.3, 0.51, 0.78, 0.96, 0.72, 0.93,
    -0.36, -0.24, -0.36, -0.21, -0.12, 0.0, -0.06, 0.09, -0.36, -0.18, -0.36, -0.15, 0.0, 0.18,
    0.06, 0.27, -0.78, -0.3, -0.9, -0.39, 0.18, 0.66, 0.12, 0.63, -1.02, -0.48, -1.14, -0.57,
    0.06, 0.6, 0.0, 0.57, -0.36, 0.12, -0.36, 0.15, 0.6, 1.08, 0.66, 1.17, -0.36, 0.18, -0.36,
    0.21, 0.72, 1.26, 0.78, 1.35,
  ]
  for columns in [1, 4096] {
    layer.minimumColumnsPerGEMM = columns
    let output = layer.forward(goldenInput, mode: .inference)
    #expect(output.shape == [2, 2, 4, 4])
    #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
  }
}

@Test func convTranspose2DWithPaddingAndOutputPaddingMatchesNumPy() {
  // w3 = (np.arange(3 * 2 * 3 * 3).reshape(3, 2, 3, 3) - 27) / 20
  let weight = Tensor(shape: [3, 2, 3, 3], scalars: (0..<54).map { Float($0 - 27) / 20 })
  let layer = ConvTranspose2D(
    weight: weight, bias: goldenBias, stride: 2, padding: 1, outputPadding: 1)
  // print(conv_transpose2d(x, w3, b, 2, 1, 1).ravel().round(6).tolist())
  let expected: [Float] = [
    0.92, 1.25, 0.845, 0.92, 1.1, 1.52, 0.95, 1.13, 0.77, 0.95, 0.695, 0.8, 1.04, 1.535, 1.01,
    1.115, -0.04, 0.965, 0.02, 0.095, 0.95, 2.99, 1.07, 1.25, 0.08, 1.205, 0.14, 0.245, 0.35,
    1.79, 0.455, 0.56, 0.02, -0.55, -0.055, 0.2, -0.7, -2.08, -0.85, -0.31, -0.13, -0.85,
    -0.205, 0.08, 0.68, 0.815, 0.65, 0.935, 0.68, 2.405, 0.74, 0.995, 2.39, 5.87, 2.51, 3.05,
    0.8, 2.645, 0.86, 1.145, 1.61, 4.31, 1.715, 2.0,
  ]
  let output = layer.forward(goldenInput, mode: .inference)
  #expect(output.shape == [2, 2, 4, 4])
  #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
}

@Test(arguments: [(2, 2, 0, 0, 4096), (2, 2, 0, 0, 1), (3, 2, 1, 1, 4096), (3, 1, 1, 0, 1)])
func convTranspose2DGradients(
  kernel: Int, stride: Int, padding: Int, outputPadding: Int, columns: Int
) {
  var generator = SplitMix64(seed: 5)
  let layer = ConvTranspose2D(
    3, 2, kernelSize: kernel, stride: stride, padding: padding, outputPadding: outputPadding,
    using: &generator)
  layer.minimumColumnsPerGEMM = columns
  let mismatches = checkGradients(of: layer, input: randomTensor([2, 3, 3, 4], seed: 8))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

/// Two dot products of ~100 float32 terms of order 1.
private let adjointTolerance = 1e-3

@Test func convTranspose2DIsTheAdjointOfConv2D() {
  // With the same weight tensor W [2, 3, 3, 3] and no bias, conv maps [N, 3, 5, 5] → [N, 2, 3, 3]
  // and convT maps back; "transposed" means ⟨convT(x), y⟩ = ⟨x, conv(y)⟩.
  let weight = randomTensor([2, 3, 3, 3], seed: 4)
  let convolution = Conv2D(weight: weight, bias: nil, stride: 2, padding: 1)
  let transposed = ConvTranspose2D(weight: weight, bias: Tensor(zeros: [3]), stride: 2, padding: 1)
  let x = randomTensor([2, 2, 3, 3], seed: 1)
  let y = randomTensor([2, 3, 5, 5], seed: 2)
  let left = (transposed(x) * y).sum()
  let right = (x * convolution(y)).sum()
  #expect(abs(left - right) < adjointTolerance, "\(left) vs \(right)")
}

@Test func convTranspose2DNamesAndShapesFollowPyTorch() {
  var generator = SplitMix64(seed: 1)
  let layer = ConvTranspose2D(256, 128, kernelSize: 2, stride: 2, using: &generator)
  #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
  #expect(layer.weight.value.shape == [256, 128, 2, 2])
  #expect(layer(Tensor(zeros: [1, 256, 16, 16])).shape == [1, 128, 32, 32])
}
