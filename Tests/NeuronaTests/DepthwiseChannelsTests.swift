import Neurona
import NeuronaAVX2
import NeuronaAVX512
import NeuronaKernels
import NeuronaTestSupport
import Testing

/// The depthwise convolution with the channels in the lanes gives the direct sum's result in
/// 8-float (AVX2) and 16-float (AVX-512) vectors: planes narrower than a vector and with a
/// partial last square of pixels, SAME padding with its odd pixel at the bottom/right, stride 2,
/// several blocks in one call (the padding zeroed once), each activation, with and without a
/// residual. Called directly, so both run whenever the CPU can execute them.
@Test(
  .enabled(if: CPUFeatures.available >= .avx2, "the kernels need AVX2 and FMA"),
  arguments: depthwiseCases)
func depthwiseChannelsMatchTheDirectSum(_ shape: DepthwiseCase) {
  checkDepthwiseChannels(shape, lanes: 8, avx2Kernels.depthwiseChannels)
}

@Test(
  .enabled(if: CPUFeatures.available >= .avx512, "the kernels need AVX-512"),
  arguments: depthwiseCases)
func wideDepthwiseChannelsMatchTheDirectSum(_ shape: DepthwiseCase) {
  checkDepthwiseChannels(shape, lanes: 16, avx512Kernels.depthwiseChannels)
}

/// Plane size, kernel, stride, padding before (top = left) and after, blocks, activation,
/// residual.
struct DepthwiseCase: Sendable, CustomTestStringConvertible {
  let height, width, kernel, stride, padBefore, padAfter, blocks: Int
  let activation: RowActivation
  let residual: Bool
  var testDescription: String {
    "\(height)×\(width) k\(kernel) s\(stride) pad \(padBefore)/\(padAfter) ×\(blocks) \(activation)"
      + (residual ? " +r" : "")
  }
}

private let depthwiseCases = [
  DepthwiseCase(
    height: 7, width: 7, kernel: 3, stride: 1, padBefore: 1, padAfter: 1, blocks: 3,
    activation: .relu6, residual: true),
  DepthwiseCase(
    height: 7, width: 7, kernel: 5, stride: 1, padBefore: 2, padAfter: 2, blocks: 1,
    activation: .none, residual: false),
  DepthwiseCase(
    height: 14, width: 14, kernel: 5, stride: 2, padBefore: 1, padAfter: 2, blocks: 2,
    activation: .relu, residual: false),
  DepthwiseCase(
    height: 5, width: 3, kernel: 3, stride: 2, padBefore: 1, padAfter: 1, blocks: 2,
    activation: .hardSwish, residual: true),
  DepthwiseCase(
    height: 2, width: 2, kernel: 3, stride: 1, padBefore: 1, padAfter: 1, blocks: 1,
    activation: .relu6, residual: false),
  DepthwiseCase(
    height: 9, width: 6, kernel: 3, stride: 1, padBefore: 0, padAfter: 0, blocks: 2,
    activation: .none, residual: true),
]

private func checkDepthwiseChannels(
  _ shape: DepthwiseCase, lanes: Int, _ kernel: DepthwiseChannelsKernel
) {
  let (h, w, k, s) = (shape.height, shape.width, shape.kernel, shape.stride)
  let (pad, channels) = (shape.padBefore, shape.blocks * lanes)
  let outH = (h + pad + shape.padAfter - k) / s + 1
  let outW = (w + pad + shape.padAfter - k) / s + 1
  let g = DepthwiseChannels.Geometry(
    height: h, width: w, kernelHeight: k, kernelWidth: k, stride: s, padTop: pad, padLeft: pad,
    outputHeight: outH, outputWidth: outW)
  let x = randomTensor([channels, h, w], seed: 51).scalars
  let taps = randomTensor([channels, k * k], seed: 52).scalars
  let bias = randomTensor([channels], seed: 53).scalars
  let residual = randomTensor([channels, outH, outW], seed: 54).scalars
  var interleaved = [Float](repeating: .nan, count: channels * k * k)
  DepthwiseChannels.interleaveTaps(
    taps, channels: channels, taps: k * k, lanes: lanes, into: &interleaved)
  var y = [Float](repeating: .nan, count: channels * outH * outW)
  var scratch = [Float](repeating: .nan, count: g.scratchCount(lanes: lanes))
  residual.withUnsafeBufferPointer { r in
    kernel(
      shape.blocks, g, x, interleaved, bias, shape.activation,
      shape.residual ? r.baseAddress! : nil, &y, &scratch)
  }
  var worst: Float = 0
  for c in 0..<channels {
    for oy in 0..<outH {
      for ox in 0..<outW {
        var sum = bias[c]
        for i in 0..<k {
          for j in 0..<k {
            let (iy, ix) = (oy * s + i - pad, ox * s + j - pad)
            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
            sum += taps[c * k * k + i * k + j] * x[(c * h + iy) * w + ix]
          }
        }
        switch shape.activation {
        case .none: break
        case .relu: sum = max(sum, 0)
        case .relu6: sum = min(max(sum, 0), 6)
        case .hardSwish: sum = sum * min(max(sum + 3, 0), 6) / 6
        }
        let at = (c * outH + oy) * outW + ox
        if shape.residual { sum += residual[at] }
        worst = max(worst, abs(y[at] - sum))
      }
    }
  }
  #expect(worst < 1e-4, "\(worst)")
}
