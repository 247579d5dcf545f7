// Tests of BatchNorm2D: NumPy goldens for training and inference, PyTorch's running-statistics
// convention, names and roles, and gradient checks.
import Neurona
import NeuronaTestSupport
import Testing

/// Normalised values of order 1 computed in float32 against float64.
private let goldenTolerance: Float = 1e-4

/// The NumPy reference used for the golden values below (PyTorch's BatchNorm2d).
///
///     import numpy as np
///     x = (np.arange(2 * 3 * 2 * 2) ** 1.5).reshape(2, 3, 2, 2) / 10
///     gamma, beta = np.array([1.0, 0.5, -2.0]), np.array([0.0, 0.1, 0.2])
///     mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
///     y = gamma[None, :, None, None] * (x - mean[None, :, None, None]) \
///         / np.sqrt(var[None, :, None, None] + 1e-5) + beta[None, :, None, None]
///     m = x.size / 3
///     running_mean, running_var = 0.9 * 0 + 0.1 * mean, 0.9 * 1 + 0.1 * var * m / (m - 1)
///     z = gamma[None, :, None, None] * (x - running_mean[None, :, None, None]) \
///         / np.sqrt(running_var[None, :, None, None] + 1e-5) + beta[None, :, None, None]
private let goldenInput = Tensor(
  shape: [2, 3, 2, 2], scalars: (0..<24).map { Float(Double($0) * Double($0).squareRoot() / 10) })

private func goldenLayer() -> BatchNorm2D {
  let layer = BatchNorm2D(3)
  layer.weight.value = Tensor(shape: [3], scalars: [1.0, 0.5, -2.0])
  layer.bias.value = Tensor(shape: [3], scalars: [0.0, 0.1, 0.2])
  return layer
}

@Test func batchNormTrainingAndInferenceMatchNumPy() {
  let layer = goldenLayer()
  // print(y.ravel().round(6).tolist())
  let expected: [Float] = [
    -1.075261, -1.033894, -0.958257, -0.86031, -0.474533, -0.422638, -0.365255, -0.302868,
    2.545983, 2.30166, 2.043358, 1.771795, 0.644347, 0.863716, 1.091693, 1.327965, 0.439247,
    0.538666, 0.641054, 0.746327, -1.187393, -1.566868, -1.955489, -2.353046,
  ]
  let output = layer.forward(goldenInput, mode: .training)
  #expect(isClose(output.scalars, expected, tolerance: goldenTolerance))
  // print(running_mean.round(7).tolist(), running_var.round(7).tolist())
  #expect(
    isClose(layer.runningMean.value.scalars, [0.2599299, 0.4320962, 0.6461289], tolerance: 1e-6))
  #expect(
    isClose(
      layer.runningVariance.value.scalars, [1.5678451, 1.9730616, 2.3641989], tolerance: 1e-5))
  // print(z.ravel().round(6).tolist())
  let inference: [Float] = [
    -0.207588, -0.127725, 0.018299, 0.207393, 0.230958, 0.344165, 0.469341, 0.605435,
    -1.902776, -2.471531, -3.07283, -3.704997, 3.112265, 3.535776, 3.975905, 4.432048, 2.224322,
    2.4412, 2.664554, 2.894202, -10.593641, -11.477015, -12.38168, -13.307147,
  ]
  #expect(isClose(layer(goldenInput).scalars, inference, tolerance: goldenTolerance))
}

@Test func batchNormNamesRolesAndDefaults() {
  let layer = BatchNorm2D(4)
  #expect(layer.namedParameters.map(\.name) == ["weight", "bias", "running_mean", "running_var"])
  #expect(layer.namedParameters.map(\.parameter.role) == [.bias, .bias, .buffer, .buffer])
  #expect(layer.parameterCount == 8)
  #expect(
    layer.weight.value.scalars == [1, 1, 1, 1]
      && layer.runningVariance.value.scalars == [1, 1, 1, 1])
  #expect(layer.momentum == 0.1 && layer.epsilon == 1e-5)
}

@Test func batchNormGradients() {
  let layer = BatchNorm2D(3)
  var generator = SplitMix64(seed: 2)
  layer.weight.value = Tensor(
    shape: [3], scalars: (0..<3).map { _ in 0.5 + generator.nextUnitFloat() })
  layer.bias.value = Tensor(
    shape: [3], scalars: (0..<3).map { _ in generator.nextUnitFloat() - 0.5 })
  // Batch statistics make every output depend on every input of its channel: a tighter ε.
  let tolerance = GradientTolerance(epsilon: 1e-3, absolute: 3e-3, relative: 3e-2)
  let mismatches = checkGradients(
    of: layer, input: randomTensor([3, 3, 3, 4], seed: 9) * 2, tolerance: tolerance)
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

@Test func batchNormInferenceDoesNotMoveRunningStatistics() {
  let layer = BatchNorm2D(3)
  _ = layer(goldenInput)
  #expect(layer.runningMean.value.scalars == [0, 0, 0])
  #expect(layer.runningVariance.value.scalars == [1, 1, 1])
}

// Above 64K floats the statistics are split over channels, the affine maps and backward over
// planes, between the workers. Each channel must come out bit for bit as a one-channel layer
// (small enough to stay on one thread) gives it, and match the textbook values in Double.
@Test func batchNormOfABigInputMatchesOneChannelAtATimeAndDouble() {
  let (n, c, h, w) = (4, 10, 41, 43)
  let area = h * w
  let input = randomTensor([n, c, h, w], seed: 4) * 3
  let dy = randomTensor([n, c, h, w], seed: 5)
  let layer = BatchNorm2D(c)
  layer.weight.value = Tensor(shape: [c], scalars: (0..<c).map { 0.5 + Float($0) / 10 })
  let output = layer.forward(input, mode: .training)
  let dx = layer.backward(dy)
  /// Channel `channel` of an `[n, c, h, w]` tensor as `[n, 1, h, w]`.
  func channelOf(_ tensor: Tensor, _ channel: Int) -> Tensor {
    var scalars: [Float] = []
    for image in 0..<n {
      let start = (image * c + channel) * area
      scalars += tensor.scalars[start..<(start + area)]
    }
    return Tensor(shape: [n, 1, h, w], scalars: scalars)
  }
  for channel in [0, 3, 9] {
    let single = BatchNorm2D(1)
    single.weight.value = Tensor(shape: [1], scalars: [layer.weight.value.scalars[channel]])
    let singleOutput = single.forward(channelOf(input, channel), mode: .training)
    #expect(singleOutput == channelOf(output, channel))
    #expect(single.backward(channelOf(dy, channel)) == channelOf(dx, channel))
    let gradients = (weight: layer.weight.gradient.scalars, bias: layer.bias.gradient.scalars)
    #expect(single.weight.gradient.scalars[0] == gradients.weight[channel])
    #expect(single.bias.gradient.scalars[0] == gradients.bias[channel])
    let running = (
      mean: layer.runningMean.value.scalars, variance: layer.runningVariance.value.scalars
    )
    #expect(single.runningMean.value.scalars[0] == running.mean[channel])
    #expect(single.runningVariance.value.scalars[0] == running.variance[channel])
    #expect(single(channelOf(input, channel)) == channelOf(layer(input), channel))
  }
  // The normalised output in Double: (x − μ)/√(σ² + ε)·γ + β per channel.
  var worst: Double = 0
  for channel in 0..<c {
    let values = channelOf(input, channel).scalars.map(Double.init)
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    let gamma = Double(layer.weight.value.scalars[channel])
    for (x, y) in zip(values, channelOf(output, channel).scalars) {
      worst = max(worst, abs((x - mean) / (variance + 1e-5).squareRoot() * gamma - Double(y)))
    }
  }
  #expect(worst < 1e-4)
}
