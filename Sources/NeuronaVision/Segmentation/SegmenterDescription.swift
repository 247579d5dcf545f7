// What a segmentation model file says about itself: its architecture and size, and how
// pictures are fed to it (at their own resolution in tiles, or resized to a fixed size).
import Neurona

/// The segmentation networks Neurona knows.
public enum SegmenterArchitecture: String, CaseIterable, Sendable {
  /// UNetSmall (configurable width and depth).
  case unet
  /// MediaPipe's selfie segmenter re-implemented on the core (256×256 RGB).
  case person
}

/// How a picture of any size becomes network input.
public enum InferenceLayout: String, Sendable {
  /// The picture at its own resolution, in overlapping tiles (objects keep their scale:
  /// microscopy). The mask is stitched from the tiles' centres.
  case tiled
  /// The whole picture resized to the working size, the probability map resized back
  /// (photos: the network sees the whole scene).
  case resized
}

/// A segmenter's architecture and input format.
public struct SegmenterDescription: Equatable, Sendable {
  public var architecture: SegmenterArchitecture
  public var channels: Int
  /// The working size: training crop size (`tiled`) or the fixed input (`resized`).
  public var size: Int
  public var layout: InferenceLayout
  public var baseWidth: Int
  public var depth: Int
  /// What the network predicts; its output channels are `target.outputs`.
  public var target: SegmentationTarget
  /// Per-channel normalisation of pixels in [0, 1].
  public var mean: [Float], std: [Float]

  public init(
    architecture: SegmenterArchitecture = .unet, channels: Int = 3, size: Int = 128,
    layout: InferenceLayout = .tiled, baseWidth: Int = 16, depth: Int = 4,
    mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1], target: SegmentationTarget = .mask
  ) {
    self.architecture = architecture
    self.channels = channels
    self.size = size
    self.layout = layout
    self.baseWidth = baseWidth
    self.depth = depth
    self.mean = mean
    self.std = std
    self.target = target
  }

  /// The network's output channels (1 for a mask, 3 for `boundary3`).
  public var outputs: Int { target.outputs }

  public static let task = "segmentation"

  public var metadata: [String: String] {
    [
      "task": Self.task, ModelFile.architectureKey: architecture.rawValue,
      "input_channels": String(channels), "size": String(size), "layout": layout.rawValue,
      "base_width": String(baseWidth), "depth": String(depth),
      "mean": mean.map { "\($0)" }.joined(separator: ","),
      "std": std.map { "\($0)" }.joined(separator: ","),
    ].merging(target == .mask ? [:] : ["outputs": String(outputs), "target": target.rawValue]) {
      $1
    }
  }

  public init(metadata: [String: String]) throws {
    guard metadata["task"] == Self.task else {
      throw ModelFileError("this is a \(metadata["task"] ?? "unknown") model, not a segmenter")
    }
    guard
      let architecture = SegmenterArchitecture(rawValue: metadata[ModelFile.architectureKey] ?? "")
    else {
      throw ModelFileError(
        "unknown segmenter architecture \(metadata[ModelFile.architectureKey] ?? "(none)")")
    }
    func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
      guard let value = Int(metadata[key] ?? ""), range.contains(value) else {
        throw ModelFileError("model metadata \(key) is missing or invalid")
      }
      return value
    }
    func floats(_ key: String) -> [Float] {
      (metadata[key] ?? "").split(separator: ",").compactMap { Float(String($0)) }
    }
    guard let layout = InferenceLayout(rawValue: metadata["layout"] ?? "") else {
      throw ModelFileError("model metadata layout is missing or invalid")
    }
    self.init(
      architecture: architecture, channels: try integer("input_channels", 1...4),
      size: try integer("size", 16...4096), layout: layout,
      baseWidth: try integer("base_width", 1...1024), depth: try integer("depth", 1...8),
      mean: floats("mean"), std: floats("std"),
      target: try Self.target(metadata))
    guard mean.count == channels, std.count == channels, std.allSatisfy({ $0 > 0 }) else {
      throw ModelFileError("model metadata mean/std do not match its channels")
    }
    guard size % (1 << depth) == 0 || architecture != .unet else {
      throw ModelFileError("model size \(size) is not a multiple of \(1 << depth)")
    }
  }

  /// The target in `metadata` (files without one predate it and are masks), checked against
  /// its output channels.
  private static func target(_ metadata: [String: String]) throws -> SegmentationTarget {
    guard let name = metadata["target"] else { return .mask }
    guard let target = SegmentationTarget(rawValue: name) else {
      throw ModelFileError(
        "unknown segmentation target \(name) (this build knows "
          + SegmentationTarget.allCases.map(\.rawValue).joined(separator: ", ") + ")")
    }
    if let outputs = metadata["outputs"], Int(outputs) != target.outputs {
      throw ModelFileError("model metadata outputs \(outputs) does not match target \(name)")
    }
    return target
  }

  /// A lower bound on the network's parameter count, computed without building it (nil when
  /// it overflows): the bottleneck's first convolution (see
  /// `ClassifierDescription.minimumParameterCount` for why).
  public var minimumParameterCount: Int? {
    guard architecture == .unet else { return 0 }
    let deepest = Checked(baseWidth) * (1 << min(depth - 1, 40))
    return (deepest * deepest * 2 * 9).value
  }

  /// A freshly initialised network for this description.
  public func makeNetwork(using generator: inout some RandomNumberGenerator) throws -> Layer {
    switch architecture {
    case .unet:
      return UNet(
        inputChannels: channels, baseWidth: baseWidth, depth: depth, outputs: outputs,
        using: &generator)
    case .person:
      guard channels == 3 else {
        throw ModelFileError("the person segmenter takes 3 channels (RGB)")
      }
      return PersonSegmenterNetwork(using: &generator)
    }
  }
}
