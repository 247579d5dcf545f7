// Tests of Conv2D and its padding: golden values from NumPy, finite-difference gradients, and
// the equivalence of the kernel paths (grouped sgemm, per-image sgemm, 1×1 without im2col).
import Neurona
import NeuronaTestSupport
import Testing

/// Float32 sums of ≤ 36 products of order 1–10 round at about 1e-5 relative.
private let goldenTolerance: Float = 1e-4

/// The NumPy reference used for the golden values below.
///
///     import numpy as np
///     def conv2d(x, w, b, s, pt, pl, pb, pr):
///         x = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
///         O, _, kh, kw = w.shape
///         Ho, Wo = (x.shape[2] - kh) // s + 1, (x.shape[3] - kw) // s + 1
///         y = np.zeros((x.shape[0], O, Ho, Wo))
///         for i in range(Ho):
///             for j in range(Wo):
///                 y[:, :, i, j] = np.einsum('nckl,ockl->no',
///                                           x[:, :, i*s:i*s+kh, j*s:j*s+kw], w)
///         return y + b[None, :, None, None]
///     x = np.arange(2 * 2 * 4 * 4).reshape(2, 2, 4, 4) / 10
///     w = (np.arange(2 * 2 * 3 * 3).reshape(2, 2, 3, 3) - 18) / 20
///     b = np.array([0.5, -1.0])
private func goldenConvolution(padding: Padding) -> Conv2D {
  let weight = Tensor(shape: [2, 2, 3, 3], scalars: (0..<36).map { Float($0 - 18) / 20 })
  return Conv2D(
    weight: weight, bias: Tensor(shape: [2], scalars: [0.5, -1.0]), stride: 2, padding: padding)
}

private let goldenInput = Tensor(shape: [2, 2, 4, 4], scalars: (0..<64).map { Float($0) / 10 })

@Test func conv2DMatchesNumPyWithSymmetricPadding() {
  let layer = goldenConvolution(padding: 1)
  // print(conv2d(x, w, b, 2, 1, 1, 1, 1).ravel().round(6).tolist())
  let expected: [Float] = [
    -1.08, -2.88, -5.755, -10.87, 4.98, 8.58, 10.565, 16.79,
    -10.68, -18.24, -23.035, -38.23, 18.42, 27.78, 27.845, 41.27,
  ]
  for tiling in tilings {
    (layer.minimumColumnsPerGEMM, layer.columnBudget) = tiling
    let output = layer.forward(goldenInput, mode: .inference)
    #expect(output.shape == [2, 2, 2, 2])
    #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
  }
}

@Test func conv2DMatchesNumPyWithTensorFlowSamePadding() {
  // SAME on 4×4, k 3, s 2: H' = 2, total padding 1, all of it at the bottom/right.
  #expect(
    Padding.same.amounts(height: 4, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 2)
      == (0, 0, 1, 1))
  let layers = [
    goldenConvolution(padding: .same),
    goldenConvolution(padding: .explicit(top: 0, left: 0, bottom: 1, right: 1)),
  ]
  // print(conv2d(x, w, b, 2, 0, 0, 1, 1).ravel().round(6).tolist())
  let expected: [Float] = [
    -6.595, -5.545, -9.66, -7.36, 12.965, 8.615, 9.36, 5.9,
    -33.955, -24.745, -30.78, -22.08, 37.445, 23.975, 22.8, 14.22,
  ]
  for layer in layers {
    let output = layer.forward(goldenInput, mode: .inference)
    #expect(output.shape == [2, 2, 2, 2])
    #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
  }
}

@Test func conv2DOutputSizes() {
  var generator = SplitMix64(seed: 1)
  let cases: [(Padding, Int, Int, [Int])] = [
    (1, 3, 1, [28, 28]), (.valid, 3, 1, [26, 26]), (.same, 3, 2, [14, 14]),
    (.same, 5, 2, [14, 14]), (.explicit(top: 0, left: 1, bottom: 2, right: 3), 3, 1, [28, 30]),
  ]
  for (padding, kernel, stride, size) in cases {
    let layer = Conv2D(
      2, 3, kernelSize: kernel, stride: stride, padding: padding, using: &generator)
    let output = layer.forward(Tensor(zeros: [1, 2, 28, 28]), mode: .inference)
    #expect(output.shape == [1, 3] + size, "\(padding) k\(kernel) s\(stride)")
  }
}

/// Ways to cut the work: (minimumColumnsPerGEMM, columnBudget) → images grouped into one
/// sgemm, one image per sgemm, bands of 2 output rows (when W' = 3), bands of 1 row.
private let tilings = [(4096, 1 << 20), (1, 1 << 20), (1, 18 * 2 * 3), (1, 1)]

@Test(arguments: [
  (Padding.symmetric(1), 1, true, tilings[0]), (Padding.symmetric(1), 1, false, tilings[1]),
  (Padding.same, 2, true, tilings[2]),
  (Padding.explicit(top: 2, left: 0, bottom: 1, right: 1), 2, true, tilings[3]),
])
func conv2DGradients(padding: Padding, stride: Int, bias: Bool, tiling: (Int, Int)) {
  var generator = SplitMix64(seed: 3)
  let layer = Conv2D(
    2, 3, kernelSize: 3, stride: stride, padding: padding, bias: bias, using: &generator)
  (layer.minimumColumnsPerGEMM, layer.columnBudget) = tiling
  let input = randomTensor([2, 2, 5, 6], seed: 11)
  let mismatches = checkGradients(of: layer, input: input)
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

@Test func pointwiseConv2DGradients() {
  var generator = SplitMix64(seed: 4)
  let layer = Conv2D(4, 3, kernelSize: 1, using: &generator)
  let mismatches = checkGradients(of: layer, input: randomTensor([2, 4, 3, 3], seed: 5))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

/// Grouping images into one sgemm and skipping im2col reorder float sums: equal to rounding.
private let pathTolerance: Float = 1e-4

@Test func conv2DKernelPathsAgree() {
  var generator = SplitMix64(seed: 9)
  let input = randomTensor([5, 3, 7, 7], seed: 2)
  let gradient = randomTensor([5, 4, 7, 7], seed: 3)
  // A 1×1 kernel as a pointwise product vs the same 1×1 through im2col (padding 0 explicit
  // but stride 1: still pointwise) vs a 3×3 kernel holding the 1×1 weights in its centre.
  let pointwise = Conv2D(3, 4, kernelSize: 1, using: &generator)
  var centred = Tensor(zeros: [4, 3, 3, 3])
  for o in 0..<4 { for c in 0..<3 { centred[o, c, 1, 1] = pointwise.weight.value[o, c, 0, 0] } }
  let general = Conv2D(weight: centred, bias: pointwise.bias?.value, padding: 1)
  var results: [(Tensor, Tensor, Tensor)] = []
  let cases =
    [(pointwise, tilings[0], true)] + tilings.map({ (general, $0, true) })
    + tilings.map({ (general, $0, false) })
  for (layer, tiling, parallel) in cases {
    (layer.minimumColumnsPerGEMM, layer.columnBudget) = tiling
    layer.parallelTiles = parallel
    layer.zeroGradients()
    let output = layer.forward(input, mode: .training)
    let inputGradient = layer.backward(gradient)
    results.append((output, inputGradient, layer.bias?.gradient ?? Tensor(zeros: [0])))
  }
  for (output, inputGradient, biasGradient) in results.dropFirst() {
    #expect(isClose(output, results[0].0, tolerance: pathTolerance))
    #expect(isClose(inputGradient, results[0].1, tolerance: pathTolerance))
    #expect(isClose(biasGradient, results[0].2, tolerance: pathTolerance))
  }
  var centreGradient = Tensor(zeros: [4, 3, 1, 1])
  for o in 0..<4 {
    for c in 0..<3 { centreGradient[o, c, 0, 0] = general.weight.gradient[o, c, 1, 1] }
  }
  #expect(isClose(centreGradient, pointwise.weight.gradient, tolerance: pathTolerance))
}

@Test func conv2DNamesAndShapesFollowPyTorch() {
  var generator = SplitMix64(seed: 1)
  let layer = Conv2D(3, 16, kernelSize: 3, padding: 1, using: &generator)
  #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
  #expect(layer.weight.value.shape == [16, 3, 3, 3])
  #expect(layer.bias?.role == .bias)
  #expect(layer.parameterCount == 16 * 27 + 16)
  let noBias = Conv2D(3, 16, kernelSize: 3, bias: false, using: &generator)
  #expect(noBias.namedParameters.map(\.name) == ["weight"])
  // He normal: std √(2 / 27) ≈ 0.272.
  let std = (layer.weight.value.squaredNorm() / Double(layer.weight.value.count)).squareRoot()
  #expect(abs(std - (2.0 / 27).squareRoot()) < 0.05)
}

@Test func conv2DTilesSharedBetweenCoresMatchOneByOne() {
  // One image in 6 bands of 2 output rows: two workers of 3 bands meet at rows 5–6 of the
  // input gradient (the deferred col2im), and their weight gradients are summed.
  var generator = SplitMix64(seed: 12)
  let layer = Conv2D(2, 3, kernelSize: 3, padding: 1, using: &generator)
  layer.minimumColumnsPerGEMM = 20
  let input = randomTensor([1, 2, 12, 10], seed: 13)
  let g = layer.geometry(forInput: input.shape)
  #expect(layer.tiles(batch: 1, geometry: g, workers: 2).map(\.rows.count) == [2, 2, 2, 2, 2, 2])
  let outputGradient = randomTensor([1, 3, 12, 10], seed: 14)
  var results: [[Tensor]] = []
  for parallel in [false, true] {
    layer.parallelTiles = parallel
    layer.zeroGradients()
    let output = layer.forward(input, mode: .training)
    let inputGradient = layer.backward(outputGradient)
    results.append([output, inputGradient, layer.weight.gradient])
  }
  for (serial, shared) in zip(results[0], results[1]) {
    #expect(isClose(shared, serial, tolerance: pathTolerance))
  }
}

@Test func conv2DWithoutInputGradientKeepsWeightGradients() {
  var generator = SplitMix64(seed: 15)
  let layer = Conv2D(1, 4, kernelSize: 3, padding: 1, using: &generator)
  let input = randomTensor([4, 1, 6, 6], seed: 16)
  let outputGradient = randomTensor([4, 4, 6, 6], seed: 17)
  _ = layer.forward(input, mode: .training)
  let full = layer.backward(outputGradient)
  let weightGradient = layer.weight.gradient
  layer.zeroGradients()
  layer.computesInputGradient = false
  _ = layer.forward(input, mode: .training)
  let skipped = layer.backward(outputGradient)
  #expect(full.squaredNorm() > 0 && skipped == Tensor(zeros: input.shape))
  #expect(isClose(layer.weight.gradient, weightGradient, tolerance: pathTolerance))
}

@Test func conv2DAcceptsAnEmptyBatch() {
  var generator = SplitMix64(seed: 18)
  let layer = Conv2D(2, 3, kernelSize: 3, padding: 1, using: &generator)
  let output = layer.forward(Tensor(zeros: [0, 2, 5, 5]), mode: .training)
  #expect(output.shape == [0, 3, 5, 5])
  #expect(layer.backward(output).shape == [0, 2, 5, 5])
}

/// A lone image through a pointwise convolution is cut into one band of rows per core (read
/// in place, rows of B a plane apart): the same output as the whole image in one tile and as
/// the definition, y[o, q] = max(0, t[o] + Σ_c w[o, c]·x[c, q]), for an odd height (unequal
/// bands).
@Test func pointwiseBandsMatchTheWholeImage() {
  let (c, o, h, w) = (16, 24, 63, 64)
  let weight = randomTensor([o, c, 1, 1], seed: 101)
  let layer = Conv2D(weight: weight, bias: nil)
  let input = randomTensor([1, c, h, w], seed: 103)
  let shifts = (0..<o).map { Float($0) * 0.1 - 1 }
  let epilogue = ConvolutionEpilogue(shift: shifts, rectifies: true)
  var definition = [Float](repeating: 0, count: o * h * w)
  for out in 0..<o {
    for q in 0..<(h * w) {
      var sum = shifts[out]
      for channel in 0..<c {
        sum += weight.scalars[out * c + channel] * input.scalars[channel * h * w + q]
      }
      definition[out * h * w + q] = Swift.max(0, sum)
    }
  }
  let reference = Tensor(shape: [1, o, h, w], scalars: definition)
  let banded = layer.forward(input, epilogue: epilogue)
  layer.parallelTiles = false
  let whole = layer.forward(input, epilogue: epilogue)
  #expect(isClose(banded, reference, tolerance: 1e-4), "\(banded.maxAbsDifference(reference))")
  #expect(isClose(whole, reference, tolerance: 1e-4), "\(whole.maxAbsDifference(reference))")
}

/// A pointwise convolution of one small plane with many filters splits its filters' panels
/// between the workers (Conv2D.pointwiseChannelShares): the same output as one worker's
/// product, for a filter count that is not a multiple of the six-row panels.
@Test func pointwiseByChannelSharesMatchesOneWorker() {
  var generator = SplitMix64(seed: 81)
  let layer = Conv2D(64, 200, kernelSize: 1, using: &generator)
  layer.bias!.value = randomTensor([200], seed: 82)
  let input = randomTensor([1, 64, 7, 7], seed: 83)
  let shared = layer.forward(
    input, epilogue: ConvolutionEpilogue(shift: layer.bias!.value.scalars, activation: .relu6))
  layer.parallelTiles = false
  let alone = layer.forward(
    input, epilogue: ConvolutionEpilogue(shift: layer.bias!.value.scalars, activation: .relu6))
  #expect(shared.shape == [1, 200, 7, 7])
  #expect(isClose(shared, alone, tolerance: 1e-5))
}
