// One stage of the person segmenter's decoder: upsample the coarse features ×2, blend them with
// the encoder's features of that resolution through a learned gate, and refine. Two inputs
// (the coarse features and the skip) and two gradients back, so it is not a Layer: the network
// calls `forward(_:skip:mode:)` and routes `backward`'s skip gradient to the encoder, as the
// U-Net does with its concatenated skips.
// N = batch, C = coarse channels, S = skip (and output) channels, H×W = the skip's size.
import Neurona

/// `[N, C, H/2, W/2]` and skip `[N, S, H, W]` → `[N, S, H, W]`:
///
///     u = project(resize×2(x))              1×1 conv C → S after half-pixel bilinear ×2
///     g = gate(skip + u)                    σ(expand(ReLU(reduce(mean_hw))))  → [N, S]
///     r = ReLU(fuse(skip · g + u))          1×1 conv S → S
///     y = r + ReLU(refine(r))               depthwise 3×3, TF SAME
///
/// Parameters: `project`, `gate.reduce`, `gate.expand`, `fuse`, `refine`.
public final class DecoderStage {
  private var resize = BilinearResize(height: 1, width: 1)
  let project: Conv2D
  let gate: ChannelGate
  let fuse: Conv2D
  private let fuseActivation = ReLU()
  let refine: DepthwiseConv2D
  private let refineActivation = ReLU()
  /// The gate's channel means of skip and u apart (inference).
  private let pool = GlobalAveragePool()

  private var skip = Tensor(zeros: [0])
  private var factors = Tensor(zeros: [0])

  /// A stage from `inputChannels` coarse channels to the skip's `skipChannels`.
  public init(
    _ inputChannels: Int, skipChannels: Int, using generator: inout some RandomNumberGenerator
  ) {
    project = Conv2D(inputChannels, skipChannels, kernelSize: 1, using: &generator)
    gate = ChannelGate(
      channels: skipChannels, hiddenChannels: skipChannels, outputs: skipChannels, using: &generator
    )
    fuse = Conv2D(skipChannels, skipChannels, kernelSize: 1, using: &generator)
    refine = DepthwiseConv2D(channels: skipChannels, kernelSize: 3, using: &generator)
  }

  /// The parameters under `project`, `gate.*`, `fuse`, `refine`.
  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("project", project) + prefixed("gate", gate) + prefixed("fuse", fuse)
      + prefixed("refine", refine)
  }

  /// The stage's output for coarse features `input` and the encoder's `skip`.
  public func forward(_ input: Tensor, skip: Tensor, mode: Mode) -> Tensor {
    precondition(
      input.rank == 4 && skip.rank == 4 && skip.shape[2] == 2 * input.shape[2]
        && skip.shape[3] == 2 * input.shape[3],
      "DecoderStage: skip \(skip.shape) is not twice the size of \(input.shape)")
    if resize.height != skip.shape[2] || resize.width != skip.shape[3] {
      resize = BilinearResize(height: skip.shape[2], width: skip.shape[3])
    }
    if mode == .inference { return inferenceForward(input, skip: skip) }
    let upsampled = project.forward(resize.forward(input, mode: mode), mode: mode)
    var sum = skip
    sum.add(upsampled)
    let factors = gate.forward(sum, mode: mode)
    if mode == .training { (self.skip, self.factors) = (skip, factors) }
    var blended = ChannelScale.forward(skip, factors)
    blended.add(upsampled)
    let fused = fuseActivation.forward(fuse.forward(blended, mode: mode), mode: mode)
    var output = refineActivation.forward(refine.forward(fused, mode: mode), mode: mode)
    output.add(fused)
    return output
  }

  /// The same stage in fewer passes, keeping nothing for backward:
  ///
  /// - project before resizing: a 1×1 convolution and a bilinear resampling (whose two weights
  ///   sum to 1 along each axis) commute, so project(resize(x)) = resize(project(x)), and at
  ///   the coarse size the product has a quarter of the columns and the resampling C → S
  ///   channels;
  /// - the gate pools skip and u apart (mean(skip + u) = mean(skip) + mean(u));
  /// - skip·g + u is one pass, the ReLUs are epilogues, and the residual r is added as refine
  ///   writes its rows.
  private func inferenceForward(_ input: Tensor, skip: Tensor) -> Tensor {
    let upsampled = resize.forward(project.forward(input, mode: .inference), mode: .inference)
    var means = pool.forward(skip, mode: .inference)
    means.add(pool.forward(upsampled, mode: .inference))
    let factors = gate.factors(fromMeans: means, mode: .inference)
    let blended = ChannelScale.forward(skip, factors, plus: upsampled)
    var epilogue = fuse.biasEpilogue
    epilogue.activation = .relu
    let fused = fuse.forward(blended, epilogue: epilogue)
    return refine.forward(fused, epilogue: ConvolutionEpilogue(rectifies: true), adding: fused)
  }

  /// The gradients with respect to the coarse input and to the skip.
  public func backward(_ outputGradient: Tensor) -> (input: Tensor, skip: Tensor) {
    // y = r + ReLU(refine(r)): both paths reach r.
    var fusedGradient = refine.backward(refineActivation.backward(outputGradient))
    fusedGradient.add(outputGradient)
    // b = skip·g + u, and g = gate(skip + u).
    let blendedGradient = fuse.backward(fuseActivation.backward(fusedGradient))
    var (skipGradient, factorGradient) = ChannelScale.backward(
      blendedGradient, input: skip, scale: factors)
    let gateGradient = gate.backward(factorGradient)
    skipGradient.add(gateGradient)
    var upsampledGradient = blendedGradient
    upsampledGradient.add(gateGradient)
    let inputGradient = resize.backward(project.backward(upsampledGradient))
    return (inputGradient, skipGradient)
  }
}
