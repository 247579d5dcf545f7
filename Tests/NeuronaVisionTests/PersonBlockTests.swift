// Gradient checks of the person segmenter's blocks (squeeze-excite, inverted residual, LR-ASPP
// context head, gated-skip decoder stage) and of the whole network, on tiny shapes, with the
// shared finite-difference check. ReLU kinks: inputs are seeded and biases nudged so no unit
// sits within ε of 0 (a failing seed would show as a single mismatch, not a wrong formula).
import Neurona
import NeuronaTestSupport
import NeuronaVision
import Testing

/// Gives every bias of `layer` a seeded value away from 0: with the initial zero biases, zero
/// inputs (padding, ReLU outputs) put whole channels exactly on a ReLU kink.
func randomizeBiases(_ layer: Layer, seed: UInt64) {
  for (index, (_, parameter)) in layer.namedParameters.enumerated() where parameter.role == .bias {
    parameter.value = randomTensorAwayFromZero(
      parameter.value.shape, margin: 0.1, seed: seed &+ UInt64(index)
    ).map { $0 * 0.5 }
  }
}

@Test func squeezeExciteGradients() {
  var generator = SplitMix64(seed: 1)
  let layer = SqueezeExcite(channels: 4, hiddenChannels: 2, using: &generator)
  randomizeBiases(layer, seed: 20)
  let mismatches = checkGradients(of: layer, input: randomTensor([2, 4, 3, 3], seed: 2))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

@Test(arguments: [
  (4, 8, 4, 3, 1, BlockActivation.relu, 2 as Int?),  // residual, with squeeze-excite
  (4, 6, 5, 5, 2, .hardSwish, 3),  // strided, TF SAME
  (3, 5, 3, 3, 1, .hardSwish, nil),  // residual, no squeeze-excite
])
func invertedResidualGradients(
  input: Int, expanded: Int, output: Int, kernel: Int, stride: Int, activation: BlockActivation,
  se: Int?
) {
  var generator = SplitMix64(seed: 3)
  let block = InvertedResidual(
    input, expanded: expanded, output, kernelSize: kernel, stride: stride, activation: activation,
    seChannels: se, using: &generator)
  #expect(block.isResidual == (stride == 1 && input == output))
  randomizeBiases(block, seed: 40)
  let mismatches = checkGradients(of: block, input: randomTensor([2, input, 6, 5], seed: 7))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

@Test func contextHeadGradients() {
  var generator = SplitMix64(seed: 5)
  let head = ContextHead(3, 4, using: &generator)
  randomizeBiases(head, seed: 60)
  let mismatches = checkGradients(of: head, input: randomTensor([2, 3, 4, 4], seed: 7))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

/// A one-input harness for the two-input decoder stage: of an input `[N, C + S, H, W]`, the
/// first C channels sampled at even pixels are the coarse features `[N, C, H/2, W/2]` and the
/// other S channels the skip; backward puts both gradients back where they came from.
final class DecoderHarness: Layer {
  let stage: DecoderStage
  let coarse: Int
  private var shape: [Int] = []

  init(coarse: Int, skip: Int) {
    var generator = SplitMix64(seed: 7)
    stage = DecoderStage(coarse, skipChannels: skip, using: &generator)
    self.coarse = coarse
  }

  var namedParameters: [(name: String, parameter: Parameter)] { stage.namedParameters }

  func forward(_ input: Tensor, mode: Mode) -> Tensor {
    shape = input.shape
    let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
    var x = Tensor(zeros: [n, coarse, h / 2, w / 2])
    var skip = Tensor(zeros: [n, input.shape[1] - coarse, h, w])
    for b in 0..<n {
      for c in 0..<input.shape[1] {
        for i in 0..<h {
          for j in 0..<w {
            if c < coarse {
              if i % 2 == 0 && j % 2 == 0 { x[b, c, i / 2, j / 2] = input[b, c, i, j] }
            } else {
              skip[b, c - coarse, i, j] = input[b, c, i, j]
            }
          }
        }
      }
    }
    return stage.forward(x, skip: skip, mode: mode)
  }

  func backward(_ outputGradient: Tensor) -> Tensor {
    let (dx, dskip) = stage.backward(outputGradient)
    var gradient = Tensor(zeros: shape)
    for b in 0..<shape[0] {
      for c in 0..<shape[1] {
        for i in 0..<shape[2] {
          for j in 0..<shape[3] {
            if c < coarse {
              if i % 2 == 0 && j % 2 == 0 { gradient[b, c, i, j] = dx[b, c, i / 2, j / 2] }
            } else {
              gradient[b, c, i, j] = dskip[b, c - coarse, i, j]
            }
          }
        }
      }
    }
    return gradient
  }
}

@Test func decoderStageGradients() {
  let harness = DecoderHarness(coarse: 3, skip: 2)
  randomizeBiases(harness, seed: 80)
  let mismatches = checkGradients(of: harness, input: randomTensor([2, 5, 6, 4], seed: 2))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
}

/// The decoder's inference path (projection before the resize, fused passes) gives the
/// training path's output, which runs the stage as written.
@Test func decoderStageInferenceMatchesTheTrainingPath() {
  var generator = SplitMix64(seed: 9)
  let stage = DecoderStage(24, skipChannels: 16, using: &generator)
  for (i, parameter) in stage.namedParameters.enumerated() {
    parameter.parameter.value = randomTensor(parameter.parameter.value.shape, seed: UInt64(90 + i))
  }
  let (input, skip) = (
    randomTensor([2, 24, 8, 12], seed: 3), randomTensor([2, 16, 16, 24], seed: 4)
  )
  let reference = stage.forward(input, skip: skip, mode: .training)
  let fast = stage.forward(input, skip: skip, mode: .inference)
  #expect(isClose(fast, reference, tolerance: 1e-4))
}

@Test func personNetworkGradients() {
  var generator = SplitMix64(seed: 9)
  let network = PersonSegmenterNetwork(using: &generator)
  randomizeBiases(network, seed: 90)
  // A 32×32 picture reaches 2×2 at the bottom; 4 samples of every tensor. The blocks are
  // checked exactly above; here the wiring (skips, residuals, the order of stages) is. Among
  // ~10⁴ ReLU/hard-swish inputs a few always sit so close to a kink that both quotients see it
  // alike, which spoils a scattered few percent of samples; a wiring error spoils every sample
  // of the parts upstream of it. So each part (stem, block, context, decoder stage, head) must
  // have most of its judged samples right.
  let input = randomTensor([1, 3, 32, 32], low: 0, high: 1, seed: 10)
  let tolerance = GradientTolerance(
    epsilon: 2e-3, absolute: 0.03, relative: 0.03, samplesPerTensor: 4)
  let report = gradientCheckReport(
    of: network, input: input, tolerance: tolerance, skipKinks: true)
  print(
    "person network gradients: \(report.judgedCount) judged, \(report.mismatches.count) off, "
      + "\(report.skipped) skipped (kinks)")
  let parts = Set(
    network.namedParameters.map {
      $0.name.split(separator: ".").dropLast().prefix(2).joined(separator: ".")
    })
  for part in parts.sorted() {
    let judged = report.judged.filter { $0.key.hasPrefix(part + ".") }.values.reduce(0, +)
    let off = report.mismatches.filter { $0.location.hasPrefix(part + ".") }.count
    #expect(judged > 0, "\(part): no sample judged")
    #expect(off * 4 <= judged, "\(part): \(off) of \(judged) samples off")
  }
  #expect(report.skipped < report.judgedCount, "too many samples crossed a kink to judge")
}
