// The depthwise convolution's fused inference path (activation epilogue, added residual, the
// AVX2 row kernel when the CPU has it) against the layer-by-layer reference, and the inference
// fusions of Sequential that involve hard-swish or a depthwise convolution. Run with
// NEURONA_NO_AVX2=1 too, to check the baseline rows.
import Neurona
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
