// EfficientNet-Lite0 (Tan & Le 2019, arXiv:1905.11946; the "Lite" variant of TensorFlow's
// model garden): the photo classifier `classify` uses by default. EfficientNet-B0's stages of
// MBConv blocks with what makes it "Lite" — ReLU6 instead of swish, no squeeze-and-excite, a
// fixed stem and head — so it runs on the layers of the core: 1×1 convolutions (sgemm),
// depthwise 3×3/5×5 with TensorFlow's SAME padding, BatchNorm (eps 1e-3), ReLU6, residuals.
// Parameter names are those of the PyTorch port's state_dict (`_blocks.3._depthwise_conv.weight`),
// so its weights load as they are (`classify import`). At inference every convolution absorbs
// its BatchNorm and activation (InferenceFusion.swift).
// N = batch, C = channels in, E = C·expansion, O = channels out.
import Neurona

/// Builds EfficientNet-Lite0.
public enum EfficientNetLite {
  /// One stage: `repeats` blocks, the first with `stride` and `inputs → outputs` channels.
  struct Stage {
    let kernel: Int, stride: Int, expansion: Int, inputs: Int, outputs: Int, repeats: Int
  }

  /// EfficientNet-B0's stages (Lite0 keeps them: width and depth multipliers 1).
  static let stages = [
    Stage(kernel: 3, stride: 1, expansion: 1, inputs: 32, outputs: 16, repeats: 1),
    Stage(kernel: 3, stride: 2, expansion: 6, inputs: 16, outputs: 24, repeats: 2),
    Stage(kernel: 5, stride: 2, expansion: 6, inputs: 24, outputs: 40, repeats: 2),
    Stage(kernel: 3, stride: 2, expansion: 6, inputs: 40, outputs: 80, repeats: 3),
    Stage(kernel: 5, stride: 1, expansion: 6, inputs: 80, outputs: 112, repeats: 3),
    Stage(kernel: 5, stride: 2, expansion: 6, inputs: 112, outputs: 192, repeats: 4),
    Stage(kernel: 3, stride: 1, expansion: 6, inputs: 192, outputs: 320, repeats: 1),
  ]

  /// The width of the features the classifier reads (`_conv_head`'s outputs).
  public static let featureCount = 1280

  /// The whole classifier, `[N, 3, H, W] → [N, classes]` logits: the stem (3×3/2 convolution),
  /// the blocks, the 1×1 head convolution to 1280 channels, global average pooling, dropout
  /// (training only) and the classifier `_fc`.
  public static func lite0(
    classes: Int, dropout: Float, seed: UInt64, using generator: inout some RandomNumberGenerator
  ) -> Sequential {
    var blocks: [(String, Layer)] = []
    for stage in stages {
      for index in 0..<stage.repeats {
        let first = index == 0
        blocks.append(
          (
            String(blocks.count),
            block(
              kernel: stage.kernel, stride: first ? stage.stride : 1, expansion: stage.expansion,
              inputs: first ? stage.inputs : stage.outputs, outputs: stage.outputs,
              using: &generator)
          ))
      }
    }
    return Sequential(named: [
      (
        "_conv_stem",
        Conv2D(3, 32, kernelSize: 3, stride: 2, padding: .same, bias: false, using: &generator)
      ),
      ("_bn0", batchNorm(32)), ("stem_relu6", ReLU6()),
      ("_blocks", Sequential(named: blocks)),
      (
        "_conv_head",
        Conv2D(320, featureCount, kernelSize: 1, bias: false, using: &generator)
      ),
      ("_bn1", batchNorm(featureCount)), ("head_relu6", ReLU6()),
      ("pool", GlobalAveragePool()),
      ("dropout", Dropout(rate: dropout, seed: seed &+ 1)),
      ("_fc", Dense(featureCount, classes, initializer: .glorotUniform, using: &generator)),
    ])
  }

  /// MBConv: [1×1 expansion C → E, BN, ReLU6] (when the expansion is not 1), depthwise k×k at
  /// `stride` (SAME), BN, ReLU6, linear 1×1 projection E → O, BN; the input added when s = 1
  /// and C = O. `[N, C, H, W] → [N, O, ⌈H/s⌉, ⌈W/s⌉]`.
  static func block(
    kernel: Int, stride: Int, expansion: Int, inputs: Int, outputs: Int,
    using generator: inout some RandomNumberGenerator
  ) -> InvertedResidual {
    let expanded = inputs * expansion
    var layers: [(String, Layer)] = []
    if expansion != 1 {
      layers += [
        ("_expand_conv", Conv2D(inputs, expanded, kernelSize: 1, bias: false, using: &generator)),
        ("_bn0", batchNorm(expanded)), ("expand_relu6", ReLU6()),
      ]
    }
    layers += [
      (
        "_depthwise_conv",
        DepthwiseConv2D(
          channels: expanded, kernelSize: kernel, stride: stride, padding: .same, bias: false,
          using: &generator)
      ),
      ("_bn1", batchNorm(expanded)), ("depthwise_relu6", ReLU6()),
      (
        "_project_conv",
        Conv2D(
          expanded, outputs, kernelSize: 1, bias: false, initializer: .glorotUniform,
          using: &generator)
      ),
      ("_bn2", batchNorm(outputs)),
    ]
    return InvertedResidual(
      body: Sequential(named: layers), isResidual: stride == 1 && inputs == outputs)
  }

  /// TensorFlow's BatchNorm settings, which the weights were trained with.
  static func batchNorm(_ channels: Int) -> BatchNorm2D { BatchNorm2D(channels, epsilon: 1e-3) }
}
