// Tests of the layers MobileNet-style models (the person segmenter) need: DepthwiseConv2D with
// TensorFlow's SAME padding, HardSwish, BilinearResize with TensorFlow's sampling switches,
// ChannelScale, and ConvTranspose2D as MediaPipe's Convolution2DTransposeBias. Golden values
// come from the NumPy snippets in the comments (the same formulas as MediaPipe's reference
// interpreter, selfie_numpy.py); gradients from the shared finite-difference check.
import Neurona
import NeuronaTestSupport
import Testing

/// Sums of a few products of values ≤ 12 in float32.
private let goldenTolerance: Float = 1e-5

// MARK: - DepthwiseConv2D

/// The NumPy reference (TFLite's SAME rule: the odd pad pixel goes bottom/right):
///
///     import numpy as np; F32 = np.float32
///     def pad_amounts(n, k, s):
///         out = -(-n // s); total = max((out - 1) * s + k - n, 0)
///         return out, total // 2, total - total // 2
///     def depthwise(x, w, b, s):  # x [N,C,H,W], w [C,1,k,k]
///         N, C, H, W = x.shape; k = w.shape[2]
///         oh, pt, pb = pad_amounts(H, k, s); ow, pl, pr = pad_amounts(W, k, s)
///         xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
///         y = np.zeros((N, C, oh, ow), F32)
///         for i in range(k):
///             for j in range(k):
///                 y += xp[:, :, i:i+s*(oh-1)+1:s, j:j+s*(ow-1)+1:s] * w[None, :, 0, i, j, None, None]
///         return y + b[None, :, None, None]
///     x = (np.arange(2*2*5*4, dtype=F32).reshape(2, 2, 5, 4) % 7 - 3) / 4
///     w = (np.arange(2*1*3*3, dtype=F32).reshape(2, 1, 3, 3) - 8) / 10
///     b = np.array([0.5, -0.25], F32)
private let depthwiseInput = Tensor(
  shape: [2, 2, 5, 4], scalars: (0..<80).map { Float($0 % 7 - 3) / 4 })
private let depthwiseWeight = Tensor(
  shape: [2, 1, 3, 3], scalars: (0..<18).map { Float($0 - 8) / 10 })
private let depthwiseBias = Tensor(shape: [2], scalars: [0.5, -0.25])

@Test func depthwiseStrideOneMatchesNumPy() {
  // depthwise(x, w, b, 1).ravel(): pads (1, 1) on both axes.
  let expected: [Float] = [
    0.925, 1.05, 0.675, 0.55, 1.125, 1.175, 0.8, 0.6, 0.25, -0.325, 0, 0.525, 0.6, 0.8, 0.6,
    0.8, -0.2, 0.075, 0.475, 1.125, -0.1, 0.025, 0.3, 0.375, -1.225, -1.2, -0.25, 0.05, -0.2,
    0.5, 0.05, -0.225, -0.75, -0.25, -0.175, -0.15, -0.45, -0.225, -0.225, -0.2, 0.1, 0.225,
    0.55, 0.975, -0.275, 0, 0.675, 1.25, 0.6, 0.6, 0.575, 0.125, 0.425, 0.675, 1.175, 0.575,
    0.8, 0.675, -0.15, -0.3, -0.45, 0, -0.075, -0.125, 0.625, 0.05, -0.75, -1.125, 0.075,
    -0.175, 0.075, -0.175, -0.125, -0.75, -1.2, -0.625, -0.375, -0.575, -0.75, -0.45,
  ]
  let layer = DepthwiseConv2D(
    weight: depthwiseWeight, bias: depthwiseBias, stride: 1, padding: .same)
  let output = layer(depthwiseInput)
  #expect(output.shape == [2, 2, 5, 4])
  #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
}

@Test func depthwiseStrideTwoPadsBottomRightAsTensorFlow() {
  // depthwise(x, w, b, 2).ravel(): H 5 → 3 with pads (1, 1); W 4 → 2 with pads (0, 1).
  let expected: [Float] = [
    1.05, 0.55, -0.325, 0.525, 0.075, 1.125, 0.025, 0.375, 0.5, -0.225, -0.225, -0.2, 0.225,
    0.975, 0.6, 0.125, 0.675, -0.3, 0, -0.125, -0.175, -0.175, -0.575, -0.45,
  ]
  let layer = DepthwiseConv2D(
    weight: depthwiseWeight, bias: depthwiseBias, stride: 2, padding: .same)
  let output = layer(depthwiseInput)
  #expect(output.shape == [2, 2, 3, 2])
  #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
}

@Test(arguments: [(3, 1), (3, 2), (5, 1), (5, 2)])
func depthwiseGradients(kernel: Int, stride: Int) {
  var generator = SplitMix64(seed: 3)
  let layer = DepthwiseConv2D(channels: 3, kernelSize: kernel, stride: stride, using: &generator)
  layer.bias.value = randomTensor([3], seed: 4)
  let mismatches = checkGradients(of: layer, input: randomTensor([2, 3, 6, 5], seed: 5))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

// MARK: - HardSwish

@Test func hardSwishMatchesNumPy() {
  // v = np.linspace(-4, 4, 9, dtype=F32); print(v * np.clip(v + 3, 0, 6) / 6)
  let expected: [Float] = [0, 0, -0.333333, -0.333333, 0, 0.666667, 1.66667, 3, 4]
  let input = Tensor(shape: [9], scalars: (0..<9).map { Float($0 - 4) })
  #expect(isClose(HardSwish()(input).scalars, expected, tolerance: goldenTolerance))
}

@Test func hardSwishGradients() {
  // Values away from the kinks at ±3 (and spread over all three pieces).
  let input = randomTensor([2, 3, 4, 4], low: -5, high: 5, seed: 9).map {
    abs(abs($0) - 3) < 0.05 ? $0 + 0.1 : $0
  }
  let mismatches = checkGradients(of: HardSwish(), input: input)
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

// MARK: - ReLU6

@Test func relu6MatchesNumPy() {
  // np.clip(np.linspace(-2, 8, 11, dtype=F32), 0, 6)
  let expected: [Float] = [0, 0, 0, 1, 2, 3, 4, 5, 6, 6, 6]
  let input = Tensor(shape: [11], scalars: (0..<11).map { Float($0 - 2) })
  #expect(isClose(ReLU6()(input).scalars, expected, tolerance: goldenTolerance))
}

@Test func relu6Gradients() {
  // Values away from the kinks at 0 and 6, spread over all three pieces.
  let input = randomTensor([2, 3, 4, 4], low: -3, high: 9, seed: 9).map {
    abs($0) < 0.05 || abs($0 - 6) < 0.05 ? $0 + 0.1 : $0
  }
  let mismatches = checkGradients(of: ReLU6(), input: input)
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

// MARK: - BilinearResize

/// The NumPy reference (TFLite's RESIZE_BILINEAR, as selfie_numpy.resize_bilinear, NCHW):
///
///     def resize(x, oh, ow, ac, hp):
///         def axis(o, n):
///             scale = F32((n-1)/(o-1)) if ac and o > 1 else F32(n/o)
///             d = np.arange(o, dtype=F32)
///             src = (d + F32(0.5)) * scale - F32(0.5) if hp else d * scale
///             lo = np.maximum(np.floor(src), 0).astype(int)
///             hi = np.minimum(np.ceil(src), n-1).astype(int)
///             return lo, hi, (src - lo).astype(F32)
///         y0, y1, fy = axis(oh, x.shape[2]); x0, x1, fx = axis(ow, x.shape[3])
///         fy = fy[None, None, :, None]; fx = fx[None, None, None, :]
///         top = x[:, :, y0][:, :, :, x0] * (1 - fx) + x[:, :, y0][:, :, :, x1] * fx
///         bot = x[:, :, y1][:, :, :, x0] * (1 - fx) + x[:, :, y1][:, :, :, x1] * fx
///         return top * (1 - fy) + bot * fy
///     r = (np.arange(12, dtype=F32) ** 2).reshape(1, 1, 3, 4) / 10
private let resizeInput = Tensor(
  shape: [1, 1, 3, 4], scalars: (0..<12).map { Float($0 * $0) / 10 })

@Test func resizeWithHalfPixelCentersMatchesNumPy() {
  // resize(r, 5, 3, False, True).ravel(): 3×4 → 5×3, enlarging rows, shrinking columns.
  let expected: [Float] = [
    0.0166667, 0.25, 0.816667, 0.71, 1.37, 2.36333, 1.75, 3.05, 4.68333, 4.71, 6.65, 8.92334,
    6.68333, 9.05, 11.75,
  ]
  let output = BilinearResize(height: 5, width: 3)(resizeInput)
  #expect(output.shape == [1, 1, 5, 3])
  #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
}

@Test func resizeWithAlignedCornersMatchesNumPy() {
  // resize(r, 5, 3, True, False).ravel()
  let expected: [Float] = [
    0, 0.25, 0.9, 0.8, 1.65, 2.9, 1.6, 3.05, 4.9, 4, 6.05, 8.5, 6.4, 9.05, 12.1,
  ]
  let layer = BilinearResize(height: 5, width: 3, alignCorners: true, halfPixelCenters: false)
  #expect(isClose(layer(resizeInput).scalars, expected, tolerance: goldenTolerance))
}

@Test func resizeWithNeitherSwitchMatchesNumPy() {
  // resize(r, 5, 3, False, False).ravel(): TensorFlow 1's legacy sampling.
  let expected: [Float] = [
    0, 0.2, 0.733333, 0.96, 1.8, 2.97333, 2.56, 4.04, 5.85333, 5.44, 7.56, 10.01333, 6.4, 8.73333,
    11.4,
  ]
  let layer = BilinearResize(height: 5, width: 3, alignCorners: false, halfPixelCenters: false)
  #expect(isClose(layer(resizeInput).scalars, expected, tolerance: goldenTolerance))
}

@Test func resizeByTwoWithHalfPixelCentersIsBilinearUpsample() {
  let input = randomTensor([2, 3, 4, 5], seed: 2)
  let resized = BilinearResize(height: 8, width: 10)(input)
  #expect(isClose(resized, Upsample(scale: 2, method: .bilinear)(input), tolerance: 1e-6))
}

/// The ×2 half-pixel rows (sixteen outputs from eight loads) against TensorFlow's definition,
/// blended from the four neighbours, on widths around the vector size: bit for bit.
@Test(arguments: [2, 3, 9, 10, 17, 40])
func resizeByTwoMatchesTheDefinitionOnWideRows(width: Int) {
  let input = randomTensor([1, 2, 3, width], seed: 12)
  let output = BilinearResize(height: 6, width: 2 * width)(input)
  func taps(_ d: Int, _ n: Int) -> (Int, Int, Float) {
    let u = (Float(d) + 0.5) * 0.5 - 0.5
    let (lo, hi) = (max(Int(u.rounded(.down)), 0), min(Int(u.rounded(.up)), n - 1))
    return (lo, hi, hi == lo ? 0 : u - Float(lo))
  }
  var expected = Tensor(zeros: [1, 2, 6, 2 * width])
  for c in 0..<2 {
    for i in 0..<6 {
      let (r0, r1, ly) = taps(i, 3)
      for j in 0..<(2 * width) {
        let (c0, c1, lx) = taps(j, width)
        let upper = input[0, c, r0, c0] * (1 - lx) + input[0, c, r0, c1] * lx
        let lower = input[0, c, r1, c0] * (1 - lx) + input[0, c, r1, c1] * lx
        expected[0, c, i, j] = upper * (1 - ly) + lower * ly
      }
    }
  }
  #expect(output.scalars == expected.scalars)
}

@Test(arguments: [
  (7, 3, false, true), (8, 10, false, true), (5, 9, true, false), (6, 2, false, false),
])
func resizeGradients(height: Int, width: Int, alignCorners: Bool, halfPixelCenters: Bool) {
  let layer = BilinearResize(
    height: height, width: width, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
  let mismatches = checkGradients(of: layer, input: randomTensor([2, 2, 4, 5], seed: 8))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

// MARK: - ChannelScale

/// A one-input harness for the two-input ChannelScale: each plane scaled by its own first
/// pixel, so the gradient check sees both ∂x and ∂g (∂g flows back into that pixel).
private final class ScaleByFirstPixel: Layer {
  private var input = Tensor(zeros: [0]), factors = Tensor(zeros: [0])

  func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let area = input.shape[2] * input.shape[3]
    factors = Tensor(
      shape: [input.shape[0], input.shape[1]],
      scalars: (0..<(input.shape[0] * input.shape[1])).map { input.scalars[$0 * area] })
    self.input = input
    return ChannelScale.forward(input, factors)
  }

  func backward(_ outputGradient: Tensor) -> Tensor {
    var (inputGradient, factorGradient) = ChannelScale.backward(
      outputGradient, input: input, scale: factors)
    let area = input.shape[2] * input.shape[3]
    for plane in 0..<factorGradient.count {
      inputGradient.scalars[plane * area] += factorGradient.scalars[plane]
    }
    return inputGradient
  }
}

@Test func channelScaleMultipliesEachPlane() {
  // x = np.arange(8).reshape(1, 2, 2, 2); g = np.array([[2, -1]]); print(x * g[:, :, None, None])
  let x = Tensor(shape: [1, 2, 2, 2], scalars: (0..<8).map(Float.init))
  let y = ChannelScale.forward(x, Tensor(shape: [1, 2], scalars: [2, -1]))
  #expect(y.scalars == [0, 2, 4, 6, -4, -5, -6, -7])
}

@Test func channelScaleGradients() {
  let mismatches = checkGradients(
    of: ScaleByFirstPixel(), input: randomTensor([2, 3, 3, 4], seed: 12))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

// MARK: - ConvTranspose2D as MediaPipe's Convolution2DTransposeBias

@Test func transposedConvolutionMatchesMediaPipesCustomOp() {
  // The custom op (transpose_conv_bias.cc semantics: SAME, stride 2, 2×2, no pad), NHWC/OHWI:
  //     def tcb(x, w, b):
  //         _, H, W, _ = x.shape; O, kh, kw, _ = w.shape
  //         full = np.zeros((1, 2*(H-1)+kh, 2*(W-1)+kw, O), F32)
  //         for i in range(kh):
  //             for j in range(kw):
  //                 full[:, i:i+2*(H-1)+1:2, j:j+2*(W-1)+1:2, :] += x @ w[:, i, j, :].T
  //         return full + b
  //     xt = (np.arange(18, dtype=F32).reshape(1, 2, 3, 3) - 8) / 8    # [1, H, W, C]
  //     wt = (np.arange(24, dtype=F32).reshape(2, 2, 2, 3) - 11) / 12  # [O, kh, kw, C]
  //     bt = np.array([0.1, -0.2], F32)
  //     print(tcb(xt, wt, bt).transpose(0, 3, 1, 2).ravel())            # as NCHW
  let expected: [Float] = [
    2.30833, 1.65208, 1.37083, 0.995833, 0.433333, 0.339583, 0.995833, 0.339583, 0.620833,
    0.245833, 0.245833, 0.152083, -0.504167, -0.316667, -1.44167, -0.972917, -2.37917,
    -1.62917, -0.129167, 0.0583333, -0.504167, -0.0354167, -0.879167, -0.129167, -0.616667,
    -1.27292, -0.429167, -0.804167, -0.241667, -0.335417, -1.92917, -2.58542, -1.17917,
    -1.55417, -0.429167, -0.522917, -0.0541667, 0.133333, 0.133333, 0.602083, 0.320833,
    1.07083, 0.320833, 0.508333, 1.07083, 1.53958, 1.82083, 2.57083,
  ]
  // NHWC → NCHW input; OHWI → [C, O, kH, kW] weights, with no spatial flip.
  var input = Tensor(zeros: [1, 3, 2, 3])
  for y in 0..<2 {
    for x in 0..<3 { for c in 0..<3 { input[0, c, y, x] = Float((y * 3 + x) * 3 + c - 8) / 8 } }
  }
  var weight = Tensor(zeros: [3, 2, 2, 2])
  for o in 0..<2 {
    for i in 0..<2 {
      for j in 0..<2 {
        for c in 0..<3 { weight[c, o, i, j] = Float(((o * 2 + i) * 2 + j) * 3 + c - 11) / 12 }
      }
    }
  }
  let layer = ConvTranspose2D(
    weight: weight, bias: Tensor(shape: [2], scalars: [0.1, -0.2]), stride: 2)
  let output = layer(input)
  #expect(output.shape == [1, 2, 4, 6])
  #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
}
