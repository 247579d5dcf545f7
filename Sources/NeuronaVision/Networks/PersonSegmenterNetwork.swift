// The person segmenter: MediaPipe's selfie segmentation model (Apache-2.0, Google; see
// Models/person.md) written out on Neurona's layers. A MobileNetV3-style encoder takes the
// 256×256 photo down to 16×16; an LR-ASPP context head weighs its features by the whole
// scene; three decoder stages go back up to 128×128, each blending in the encoder's features of
// that size through a learned gate; a 2×2 stride-2 transposed convolution gives one logit per
// pixel at full size. The numbers below are the original's (selfie_graph.md lists every op);
// `PersonSegmenterImport` maps its weights onto these parameter names.
// N = batch, H×W = input size (multiples of 16; 256×256 for the shipped weights).
import Neurona

/// `[N, 3, H, W]` RGB in [0, 1] → `[N, 1, H, W]` person logits (σ gives the probability).
///
/// Parameter names: `stem.conv`, `blocks.0…7.{expand, depthwise, se.reduce, se.expand,
/// project}`, `context.{features, attention.reduce}`, `decoder.0…2.{project, gate.reduce,
/// gate.expand, fuse, refine}`, `head`; each `.weight` and `.bias`, in PyTorch's layouts.
public final class PersonSegmenterNetwork: Layer {
  /// 3×3/2 convolution and hard-swish: `[N, 3, H, W] → [N, 16, H/2, W/2]` (the first skip).
  let stem: Sequential
  /// The inverted residual blocks; 0 ends at H/4 (second skip), 2 at H/8 (third), 7 at H/16.
  let blocks: [InvertedResidual]
  /// LR-ASPP: `[N, 32, H/16, W/16] → [N, 128, H/16, W/16]`.
  let context: ContextHead
  /// H/16 → H/8 → H/4 → H/2, joined with the skips of those sizes.
  let decoder: [DecoderStage]
  /// The transposed 2×2/2 convolution: `[N, 16, H/2, W/2] → [N, 1, H, W]`.
  let head: ConvTranspose2D

  /// The blocks after which the encoder's output is kept as a skip (besides the stem's).
  private static let skipBlocks = [0, 2]

  /// (expanded, output channels, kernel, stride, activation, squeeze-excite width) per block,
  /// from 16 channels at H/2.
  static let blockPlan: [(Int, Int, Int, Int, BlockActivation, Int?)] = [
    (16, 16, 3, 2, .relu, 8),  // → H/4 × 16 (skip)
    (72, 24, 3, 2, .relu, nil),  // → H/8 × 24
    (88, 24, 3, 1, .relu, nil),  // residual (skip)
    (96, 32, 5, 2, .hardSwish, 24),  // → H/16 × 32
    (128, 32, 5, 1, .hardSwish, 32),
    (128, 32, 5, 1, .hardSwish, 32),
    (96, 32, 5, 1, .hardSwish, 24),
    (96, 32, 5, 1, .hardSwish, 24),
  ]

  /// The network with seeded initial weights (load the shipped ones for real use).
  public init(using generator: inout some RandomNumberGenerator) {
    stem = Sequential(named: [
      ("conv", Conv2D(3, 16, kernelSize: 3, stride: 2, padding: .same, using: &generator)),
      ("activation", HardSwish()),
    ])
    var channels = 16
    var blocks: [InvertedResidual] = []
    for (expanded, output, kernel, stride, activation, se) in Self.blockPlan {
      blocks.append(
        InvertedResidual(
          channels, expanded: expanded, output, kernelSize: kernel, stride: stride,
          activation: activation, seChannels: se, using: &generator))
      channels = output
    }
    self.blocks = blocks
    context = ContextHead(channels, 128, using: &generator)
    decoder = [
      DecoderStage(128, skipChannels: 24, using: &generator),
      DecoderStage(24, skipChannels: 16, using: &generator),
      DecoderStage(16, skipChannels: 16, using: &generator),
    ]
    head = ConvTranspose2D(
      16, 1, kernelSize: 2, stride: 2, initializer: .glorotUniform, using: &generator)
  }

  /// H and W must be multiples of this.
  public static let sizeMultiple = 16

  public var namedParameters: [(name: String, parameter: Parameter)] {
    var named = prefixed("stem", stem)
    for (i, block) in blocks.enumerated() { named += prefixed("blocks.\(i)", block) }
    named += prefixed("context", context)
    for (i, stage) in decoder.enumerated() {
      named += stage.namedParameters.map {
        (name: "decoder.\(i).\($0.name)", parameter: $0.parameter)
      }
    }
    return named + prefixed("head", head)
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    precondition(
      input.rank == 4 && input.shape[1] == 3 && input.shape[2] % Self.sizeMultiple == 0
        && input.shape[3] % Self.sizeMultiple == 0,
      "PersonSegmenterNetwork needs [N, 3, H, W] with H, W multiples of 16, got \(input.shape)")
    var x = stem.forward(input, mode: mode)
    var skips = [x]  // H/2 × 16, then H/4 × 16, H/8 × 24
    for (i, block) in blocks.enumerated() {
      x = block.forward(x, mode: mode)
      if Self.skipBlocks.contains(i) { skips.append(x) }
    }
    x = context.forward(x, mode: mode)
    for (stage, skip) in zip(decoder, skips.reversed()) {
      x = stage.forward(x, skip: skip, mode: mode)
    }
    return head.forward(x, mode: mode)
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    var gradient = head.backward(outputGradient)
    var skipGradients: [Tensor] = []  // finest first, as the decoder runs backwards
    for stage in decoder.reversed() {
      let (inputGradient, skipGradient) = stage.backward(gradient)
      skipGradients.append(skipGradient)
      gradient = inputGradient
    }
    gradient = context.backward(gradient)
    for i in blocks.indices.reversed() {
      // A skip's source fed both the next block and a decoder stage: the gradients add.
      if let level = Self.skipBlocks.firstIndex(of: i) { gradient.add(skipGradients[level + 1]) }
      gradient = blocks[i].backward(gradient)
    }
    gradient.add(skipGradients[0])
    return stem.backward(gradient)
  }
}
