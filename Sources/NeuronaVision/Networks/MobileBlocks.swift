// The building blocks of the person segmenter (MobileNetV3-style, Howard et al. 2019,
// arXiv:1905.02244): a channel gate from pooled statistics, squeeze-and-excite, the inverted
// residual block and the LR-ASPP context head. Each is a Layer whose backward routes the
// gradients of its internal branches explicitly (gates feed back into the features they were
// computed from). The decoder stage with its gated skip is in PersonDecoder.swift.
// N = batch, C = channels in, E = expanded channels, O = channels out, R = hidden gate width.
import Neurona

/// The activations the blocks use.
public enum BlockActivation: Sendable {
  case relu, hardSwish

  func make() -> Layer {
    switch self {
    case .relu: return ReLU()
    case .hardSwish: return HardSwish()
    }
  }
}

/// Per-channel factors in (0, 1) from an image's channel means: `[N, C, H, W] → [N, O]`,
/// g = σ(expand(ReLU(reduce(mean_hw x)))), or g = σ(reduce(mean_hw x)) without a hidden layer.
/// The 1×1 convolutions act on `[N, C, 1, 1]`, so their weights are `[R, C, 1, 1]` as in PyTorch.
public final class ChannelGate: Layer {
  private let pool = GlobalAveragePool()
  let reduce: Conv2D
  private let hidden = ReLU()
  let expand: Conv2D?
  private let squash = Sigmoid()

  /// A gate from `channels` to `outputs` factors through `hiddenChannels` (nil: one layer).
  public init(
    channels: Int, hiddenChannels: Int?, outputs: Int,
    using generator: inout some RandomNumberGenerator
  ) {
    reduce = Conv2D(channels, hiddenChannels ?? outputs, kernelSize: 1, using: &generator)
    expand = hiddenChannels.map {
      Conv2D($0, outputs, kernelSize: 1, initializer: .glorotUniform, using: &generator)
    }
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("reduce", reduce) + (expand.map { prefixed("expand", $0) } ?? [])
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    factors(fromMeans: pool.forward(input, mode: mode), mode: mode)
  }

  /// The factors from channel means already taken, `[N, C] → [N, O]`: the decoder's gate sees
  /// mean(skip + u) = mean(skip) + mean(u) at inference, without forming skip + u.
  func factors(fromMeans means: Tensor, mode: Mode) -> Tensor {
    let n = means.shape[0]
    var x = reduce.forward(means.reshaped([n, means.shape[1], 1, 1]), mode: mode)  // [N, R, 1, 1]
    if let expand { x = expand.forward(hidden.forward(x, mode: mode), mode: mode) }
    x = squash.forward(x, mode: mode)
    return x.reshaped([n, x.shape[1]])  // [N, O]
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let n = outputGradient.shape[0]
    var g = squash.backward(outputGradient.reshaped([n, outputGradient.shape[1], 1, 1]))
    if let expand { g = hidden.backward(expand.backward(g)) }
    g = reduce.backward(g)
    return pool.backward(g.reshaped([n, g.shape[1]]))
  }
}

/// Squeeze-and-excite (Hu et al. 2018, arXiv:1709.01507): each channel rescaled by a gate
/// computed from all channels' means. `[N, C, H, W] → [N, C, H, W]`, y = x · gate(x).
public final class SqueezeExcite: Layer {
  let gate: ChannelGate
  private var input = Tensor(zeros: [0])
  private var factors = Tensor(zeros: [0])

  /// Squeeze-and-excite over `channels` through `hiddenChannels`.
  public init(channels: Int, hiddenChannels: Int, using generator: inout some RandomNumberGenerator)
  {
    gate = ChannelGate(
      channels: channels, hiddenChannels: hiddenChannels, outputs: channels, using: &generator)
  }

  public var namedParameters: [(name: String, parameter: Parameter)] { gate.namedParameters }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let factors = gate.forward(input, mode: mode)
    if mode == .training { (self.input, self.factors) = (input, factors) }
    return ChannelScale.forward(input, factors)
  }

  /// x feeds both the product and the gate: ∂x = ∂y·g + gate'(Σ ∂y·x).
  public func backward(_ outputGradient: Tensor) -> Tensor {
    var (inputGradient, factorGradient) = ChannelScale.backward(
      outputGradient, input: input, scale: factors)
    inputGradient.add(gate.backward(factorGradient))
    return inputGradient
  }
}

/// MobileNetV2/V3's inverted residual: 1×1 expansion C → E, depthwise k×k (stride s, TF SAME),
/// optional squeeze-and-excite, linear 1×1 projection E → O; plus the input when the shapes
/// allow (s = 1, C = O). `[N, C, H, W] → [N, O, ⌈H/s⌉, ⌈W/s⌉]`.
/// Parameters: `expand`, `depthwise`, `se.reduce`, `se.expand`, `project`.
public final class InvertedResidual: Layer {
  /// The branch: expand, activation, depthwise, activation, (se), project.
  public let body: Sequential
  /// Whether the input is added to the branch's output.
  public let isResidual: Bool

  /// A block C → E → O with a `kernelSize` depthwise filter at `stride`, the activation after
  /// expansion and depthwise, and squeeze-and-excite through `seChannels` when given.
  public init(
    _ inputChannels: Int, expanded: Int, _ outputChannels: Int, kernelSize: Int, stride: Int,
    activation: BlockActivation, seChannels: Int?, using generator: inout some RandomNumberGenerator
  ) {
    var layers: [(String, Layer)] = [
      ("expand", Conv2D(inputChannels, expanded, kernelSize: 1, using: &generator)),
      ("expand_activation", activation.make()),
      (
        "depthwise",
        DepthwiseConv2D(
          channels: expanded, kernelSize: kernelSize, stride: stride, padding: .same,
          using: &generator)
      ),
      ("depthwise_activation", activation.make()),
    ]
    if let seChannels {
      layers.append(
        ("se", SqueezeExcite(channels: expanded, hiddenChannels: seChannels, using: &generator)))
    }
    layers.append(
      (
        "project",
        Conv2D(
          expanded, outputChannels, kernelSize: 1, initializer: .glorotUniform, using: &generator)
      ))
    body = Sequential(named: layers)
    isResidual = stride == 1 && inputChannels == outputChannels
  }

  /// A block around a branch built elsewhere (EfficientNet-Lite's, with its BatchNorms and
  /// PyTorch names: EfficientNetLite.swift); the input is added when `isResidual`.
  public init(body: Sequential, isResidual: Bool) {
    self.body = body
    self.isResidual = isResidual
  }

  public var namedParameters: [(name: String, parameter: Parameter)] { body.namedParameters }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    var output = body.forward(input, mode: mode)
    if isResidual { output.add(input) }
    return output
  }

  /// The identity path passes ∂y on unchanged, so ∂x = body'(∂y) + ∂y.
  public func backward(_ outputGradient: Tensor) -> Tensor {
    var inputGradient = body.backward(outputGradient)
    if isResidual { inputGradient.add(outputGradient) }
    return inputGradient
  }
}

/// LR-ASPP's context head (MobileNetV3's segmentation head, arXiv:1905.02244 §6.4): features
/// ReLU(1×1 conv x) rescaled per channel by σ(1×1 conv(mean_hw x)), the scene's global context.
/// `[N, C, H, W] → [N, O, H, W]`. Parameters: `features`, `attention.reduce`.
public final class ContextHead: Layer {
  let features: Sequential
  let attention: ChannelGate
  private var mapped = Tensor(zeros: [0])
  private var factors = Tensor(zeros: [0])

  /// A head from `inputChannels` to `outputChannels`.
  public init(
    _ inputChannels: Int, _ outputChannels: Int, using generator: inout some RandomNumberGenerator
  ) {
    features = Sequential([
      Conv2D(inputChannels, outputChannels, kernelSize: 1, using: &generator), ReLU(),
    ])
    attention = ChannelGate(
      channels: inputChannels, hiddenChannels: nil, outputs: outputChannels, using: &generator)
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("features", features.layers[0]) + prefixed("attention", attention)
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let mapped = features.forward(input, mode: mode)
    let factors = attention.forward(input, mode: mode)
    if mode == .training { (self.mapped, self.factors) = (mapped, factors) }
    return ChannelScale.forward(mapped, factors)
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let (mappedGradient, factorGradient) = ChannelScale.backward(
      outputGradient, input: mapped, scale: factors)
    var inputGradient = features.backward(mappedGradient)
    inputGradient.add(attention.backward(factorGradient))
    return inputGradient
  }
}
