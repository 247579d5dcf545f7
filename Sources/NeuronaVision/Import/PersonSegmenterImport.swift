// Importing MediaPipe's selfie segmenter (selfie_segmentation.tflite, Apache-2.0) into a
// Neurona person segmenter: each TFLite constant is matched to its parameter by the table
// below and converted from TensorFlow's layouts to PyTorch's (the core's):
//   CONV_2D kernel OHWI [O, kH, kW, C]          → OIHW [O, C, kH, kW]
//   DEPTHWISE_CONV_2D kernel [1, kH, kW, C]     → [C, 1, kH, kW]
//   Convolution2DTransposeBias kernel OHWI      → [C, O, kH, kW] (ConvTranspose2d; no flip:
//                                                 tap (i, j) writes output offset (+i, +j))
//   biases [O]                                  → unchanged.
import Neurona

extension SegmenterDescription {
  /// The person segmenter's format: RGB scaled to [0, 1] (no further normalisation), the whole
  /// picture resized to 256×256, as MediaPipe feeds its selfie model.
  public static let person = SegmenterDescription(
    architecture: .person, channels: 3, size: 256, layout: .resized, mean: [0, 0, 0],
    std: [1, 1, 1])
}

/// The mapping from MediaPipe's selfie model to `PersonSegmenterNetwork`.
public enum PersonSegmenterImport {
  /// How a TFLite kernel is laid out.
  enum Kind { case convolution, depthwise, transposed }

  /// (TFLite layer name, our parameter prefix, kernel kind), in the model's order.
  static let layers: [(String, String, Kind)] = {
    var table: [(String, String, Kind)] = [("conv2d", "stem.conv", .convolution)]
    var conv = 1
    var depthwise = 0
    func next(_ prefix: String) {
      table.append(("conv2d_\(conv)", prefix, .convolution))
      conv += 1
    }
    func nextDepthwise(_ prefix: String) {
      let name = depthwise == 0 ? "depthwise_conv2d" : "depthwise_conv2d_\(depthwise)"
      table.append((name, prefix, .depthwise))
      depthwise += 1
    }
    for (i, plan) in PersonSegmenterNetwork.blockPlan.enumerated() {
      next("blocks.\(i).expand")
      nextDepthwise("blocks.\(i).depthwise")
      if plan.5 != nil {
        next("blocks.\(i).se.reduce")
        next("blocks.\(i).se.expand")
      }
      next("blocks.\(i).project")
    }
    next("context.features")
    next("context.attention.reduce")
    for i in 0..<3 {
      for part in ["project", "gate.reduce", "gate.expand", "fuse"] { next("decoder.\(i).\(part)") }
      nextDepthwise("decoder.\(i).refine")
    }
    table.append(("segment", "head", .transposed))
    return table
  }()

  /// The network's parameters (by name) from the TFLite file's constants.
  /// - Throws: `ModelFileError` when a tensor is missing or has another shape.
  public static func parameters(from file: TFLiteFile) throws -> [String: Tensor] {
    var result: [String: Tensor] = [:]
    for (source, target, kind) in layers {
      for part in ["Kernel", "Bias"] {
        guard let constant = file.constants["\(source)/\(part)"] else {
          throw ModelFileError(
            "the TFLite file lacks \(source)/\(part): is it the selfie segmenter?")
        }
        result["\(target).\(part == "Kernel" ? "weight" : "bias")"] =
          part == "Bias"
          ? Tensor(shape: constant.shape, scalars: constant.values)
          : try convertKernel(constant, kind: kind, name: "\(source)/Kernel")
      }
    }
    return result
  }

  /// A kernel in TFLite's layout, rearranged to ours (see the file header).
  static func convertKernel(_ kernel: TFLiteFile.Constant, kind: Kind, name: String) throws
    -> Tensor
  {
    guard kernel.shape.count == 4 else { throw ModelFileError("\(name) is not a 4-D kernel") }
    let (a, kH, kW, c) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
    let shape: [Int]
    switch kind {
    case .convolution: shape = [a, c, kH, kW]
    case .depthwise: shape = [c, a, kH, kW]  // a = 1 (depth multiplier)
    case .transposed: shape = [c, a, kH, kW]
    }
    var result = Tensor(zeros: shape)
    for o in 0..<a {
      for i in 0..<kH {
        for j in 0..<kW {
          for ch in 0..<c {
            let value = kernel.values[((o * kH + i) * kW + j) * c + ch]
            switch kind {
            case .convolution: result[o, ch, i, j] = value
            case .depthwise, .transposed: result[ch, o, i, j] = value
            }
          }
        }
      }
    }
    return result
  }

  /// Metadata recorded in the imported file: where the weights come from, under what terms.
  public static let provenance = [
    "source": "MediaPipe selfie_segmentation.tflite (256x256 general model), mediapipe 0.10.14",
    "license": "Apache-2.0 (Google LLC, MediaPipe); see Models/person.md and NOTICE",
  ]

  /// A segmenter with MediaPipe's weights from the TFLite file at `path`.
  public static func segmenter(fromTFLite path: String) throws -> Segmenter {
    let file = try TFLiteFile.read(contentsOf: path)
    let segmenter = try Segmenter(description: .person, seed: 0)
    let tensors = try parameters(from: file)
    do {
      try ModelFile.load(SafeTensors(tensors: tensors), into: segmenter.network)
    } catch let error as ModelFileError {
      throw ModelFileError("\(path): \(error.description)")
    }
    return segmenter
  }
}
