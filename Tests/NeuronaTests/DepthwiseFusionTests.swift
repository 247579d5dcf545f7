// The depthwise convolution's fused inference path (activation epilogue, added residual, the
// vector row kernel when the CPU has it) against the layer-by-layer reference, the row
// kernels of 8 and 16 lanes against plain sums, and the inference fusions of Sequential that
// involve hard-swish or a depthwise convolution. Run with NEURONA_ISA=baseline too, to check
// the baseline rows.
import Neurona
import NeuronaAVX2
import NeuronaAVX512
import NeuronaKernels
import NeuronaTestSupport
import Testing

/// Float sums of ≤ 25 products, computed with FMA on one path and without on the other.
private let fusedTolerance: Float = 1e-5

/// Widths that exercise the 32-column blocks, whole vectors and a partial last vector.
@Test(arguments: [(3, 1, 37), (3, 2, 70), (5, 1, 16), (5, 2, 33), (3, 1, 5)])
func depthwiseEpilogueMatchesLayerByLayer(kernel: Int, stride: Int, width: Int) {
  var generator = SplitMix64(seed: 21)
  let layer = DepthwiseConv2D(channels: 3, kernelSize: kernel, stride: stride, using: &generator)
  layer.bias.value = randomTensor([3], seed: 22)
  let input = randomTensor([2, 3, 9, width], low: -4, high: 4, seed: 23)
  let plain = layer(input)
  let activations: [(ConvolutionEpilogue, Layer?)] = [
    (ConvolutionEpilogue(), nil), (ConvolutionEpilogue(rectifies: true), ReLU()),
    (ConvolutionEpilogue(hardSwishes: true), HardSwish()),
  ]
  for (epilogue, activation) in activations {
    let reference = activation.map { $0(plain) } ?? plain
    let fused = layer.forward(input, epilogue: epilogue)
    #expect(isClose(fused, reference, tolerance: fusedTolerance))
    let residual = randomTensor(plain.shape, seed: 24)
    var withResidual = reference
    withResidual.add(residual)
    let added = layer.forward(input, epilogue: epilogue, adding: residual)
    #expect(isClose(added, withResidual, tolerance: fusedTolerance))
  }
}

/// Conv → HardSwish (pointwise and 3×3/2, both off the Winograd path), depthwise → ReLU and
/// depthwise → HardSwish fuse and give the layer-by-layer result.
@Test func fusionWithHardSwishAndDepthwiseMatchesLayerByLayer() {
  var generator = SplitMix64(seed: 31)
  let model = Sequential([
    Conv2D(3, 8, kernelSize: 3, stride: 2, padding: .same, using: &generator), HardSwish(),
    Conv2D(8, 12, kernelSize: 1, using: &generator), HardSwish(),
    DepthwiseConv2D(channels: 12, kernelSize: 5, stride: 2, using: &generator), HardSwish(),
    Conv2D(12, 8, kernelSize: 1, using: &generator), ReLU(),
    DepthwiseConv2D(channels: 8, kernelSize: 3, using: &generator), ReLU(),
    Conv2D(8, 16, kernelSize: 3, padding: 1, using: &generator), ReLU(),
  ])
  for (i, parameter) in model.parameters.enumerated() where parameter.role == .bias {
    parameter.value = randomTensor(parameter.value.shape, seed: UInt64(40 + i))
  }
  let input = randomTensor([2, 3, 70, 66], low: -3, high: 3, seed: 32)
  let fused = model(input)
  model.fusesForInference = false
  let reference = model(input)
  #expect(fused.shape == reference.shape)
  #expect(isClose(fused, reference, tolerance: 1e-4))
}

/// EfficientNet's pattern: bias-free convolutions each followed by a BatchNorm (with trained
/// statistics) and ReLU6, the depthwise one folding its BatchNorm into its filters.
@Test func fusionOfBatchNormAndReLU6MatchesLayerByLayer() {
  var generator = SplitMix64(seed: 51)
  func norm(_ channels: Int, _ seed: UInt64) -> BatchNorm2D {
    let layer = BatchNorm2D(channels, epsilon: 1e-3)
    layer.weight.value = randomTensor([channels], low: 0.5, high: 1.5, seed: seed)
    layer.bias.value = randomTensor([channels], seed: seed + 1)
    layer.runningMean.value = randomTensor([channels], seed: seed + 2)
    layer.runningVariance.value = randomTensor([channels], low: 0.2, high: 2, seed: seed + 3)
    return layer
  }
  let model = Sequential([
    Conv2D(3, 16, kernelSize: 3, stride: 2, padding: .same, bias: false, using: &generator),
    norm(16, 60), ReLU6(),
    DepthwiseConv2D(channels: 16, kernelSize: 5, stride: 2, bias: false, using: &generator),
    norm(16, 70), ReLU6(),
    DepthwiseConv2D(channels: 16, kernelSize: 3, bias: false, using: &generator), norm(16, 80),
    Conv2D(16, 8, kernelSize: 1, bias: false, using: &generator), norm(8, 90),
  ])
  let input = randomTensor([2, 3, 45, 38], low: -3, high: 3, seed: 52)
  let fused = model(input)
  model.fusesForInference = false
  let reference = model(input)
  #expect(fused.shape == reference.shape)
  #expect(isClose(fused, reference, tolerance: 1e-4))
}

/// The folded depthwise convolution is kept between calls: it must follow any change of the
/// filters, the BatchNorm's parameters or its running statistics.
@Test func foldedBatchNormFollowsChangedValues() {
  var generator = SplitMix64(seed: 53)
  let depthwise = DepthwiseConv2D(
    channels: 16, kernelSize: 3, bias: false, using: &generator)
  let norm = BatchNorm2D(16, epsilon: 1e-3)
  let model = Sequential([depthwise, norm, ReLU6()])
  let input = randomTensor([1, 16, 7, 7], low: -3, high: 3, seed: 54)
  func fusedMatchesLayerByLayer() -> Bool {
    model.fusesForInference = true
    let fused = model(input)
    model.fusesForInference = false
    return isClose(fused, model(input), tolerance: 1e-4)
  }
  #expect(fusedMatchesLayerByLayer())
  let changes: [(Parameter, UInt64)] = [
    (norm.runningMean, 55), (norm.runningVariance, 56), (norm.weight, 57), (norm.bias, 58),
    (depthwise.weight, 59),
  ]
  for (parameter, seed) in changes {
    parameter.value = randomTensor(parameter.value.shape, low: 0.2, high: 2, seed: seed)
    #expect(fusedMatchesLayerByLayer(), "after a change of a \(parameter.value.shape) value")
  }
}

/// The row kernel of each instruction set the CPU runs, 8 lanes (AVX2) and 16 (AVX-512),
/// called directly, so whatever NEURONA_ISA caps the layer at: against the sums taken one
/// pixel at a time, for rows narrower than a vector, whole vectors (eight at a time in a row,
/// four at a time across rows, and alone) and a partial last vector in either width, with each
/// activation, with and without a residual; nothing written between the rows.
@Test(
  .enabled(if: CPUFeatures.available >= .avx2, "the kernels need AVX2 and FMA"),
  arguments: [1, 7, 8, 13, 16, 17, 30, 37, 48, 71, 135, 200, 263])
func depthwiseRowKernelsMatchTheSums(width: Int) {
  var sets = [("avx2", avx2Kernels)]
  if CPUFeatures.available >= .avx512 { sets.append(("avx512", avx512Kernels)) }
  let (rows, outputStride, topStride) = (5, width + 3, width + 9)
  // A 3×3 window over rows `topStride` apart, as DepthwiseConv2D lays out stride 1.
  let offsets = (0..<9).map { ($0 / 3) * topStride + $0 % 3 }
  let taps = randomTensor([9], seed: 25).scalars
  let top = randomTensor([rows * topStride + 2 * topStride + 2], low: -4, high: 4, seed: 26)
    .scalars
  let residual = randomTensor([rows * outputStride], seed: 27).scalars
  let bias: Float = 0.375
  let activations: [(RowActivation, (Float) -> Float)] = [
    (.none, { $0 }), (.relu, { $0 > 0 ? $0 : 0 }),
    (.hardSwish, { $0 * min(max($0 + 3, 0), 6) / 6 }),
  ]
  for (name, kernels) in sets {
    for (activation, activate) in activations {
      for adds in [false, true] {
        var output = [Float](repeating: .nan, count: rows * outputStride)
        residual.withUnsafeBufferPointer { r in
          kernels.depthwiseRows(
            &output, outputStride, rows, width, bias, taps, offsets, 9, top, topStride,
            activation, adds ? r.baseAddress! : nil)
        }
        var worst: Float = 0
        for r in 0..<rows {
          for ox in 0..<outputStride {
            let at = r * outputStride + ox
            guard ox < width else {
              #expect(output[at].isNaN, "\(name): wrote column \(ox) of a \(width)-wide row")
              continue
            }
            var sum = bias
            for t in 0..<9 { sum += taps[t] * top[r * topStride + offsets[t] + ox] }
            let expected = activate(sum) + (adds ? residual[at] : 0)
            worst = max(worst, abs(output[at] - expected))
          }
        }
        #expect(worst < fusedTolerance, "\(name) \(activation) residual \(adds): \(worst)")
      }
    }
  }
}
