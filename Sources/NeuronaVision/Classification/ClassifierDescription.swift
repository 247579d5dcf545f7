// What a classifier model file says about itself: its architecture, its classes and the
// input it takes. Stored as the safetensors `__metadata__` strings, so any tool can read it.
import Foundation
import Neurona

/// The network families `classify` can build and train.
public enum ClassifierArchitecture: String, CaseIterable, Sendable {
  /// Convolution blocks (Conv3×3–ReLU–MaxPool2, channels doubling from `width`) then
  /// Dense(128)–ReLU–Dropout–Dense(K). With width 32 and depth 2 on 1×28×28 it is
  /// FashionNet (Models/fashionnet.md).
  case cnn
  /// The multi-layer perceptron 784-256-128-K of the course (input size from the data).
  case mlp
  /// Each image row a time step: LSTM(128) over the rows, last hidden state → Dense(K).
  case lstm
  /// EfficientNet-Lite0 (EfficientNetLite.swift): the ImageNet photo classifier, and the
  /// backbone transfer learning starts from.
  case efficientNetLite0 = "efficientnet-lite0"
}

/// A classifier's architecture, classes and input format.
public struct ClassifierDescription: Equatable, Sendable {
  public var architecture: ClassifierArchitecture
  /// Class names in label order (ImageFolder: sorted folder names).
  public var classNames: [String]
  /// The input the network takes: channels (1 grey, 3 RGB), height, width.
  public var channels: Int, height: Int, width: Int
  /// Per-channel normalisation applied to pixels scaled to [0, 1]: (x − mean) / std.
  public var mean: [Float], std: [Float]
  /// Channels of the first convolution block (`cnn`).
  public var baseWidth: Int
  /// Convolution blocks (`cnn`).
  public var depth: Int
  /// Dropout rate before the last Dense layer.
  public var dropout: Float
  /// When set, a picture is first resized so that its shorter side has this length (aspect
  /// kept), then its central `width`×`height` taken, as ImageNet models are fed; when nil it
  /// is resized to `width`×`height` whatever its aspect.
  public var resizeShorterSide: Int?

  /// FashionNet: the default classifier for 28×28 grey clothing images.
  public static func fashionNet(classNames: [String] = FashionMNIST.classNames)
    -> ClassifierDescription
  {
    ClassifierDescription(
      architecture: .cnn, classNames: classNames, channels: 1, height: 28, width: 28,
      mean: [0.2860], std: [0.3530], baseWidth: 32, depth: 2, dropout: 0.5)
  }

  /// EfficientNet-Lite0 as trained on ImageNet: RGB, shorter side 256, centre 224×224 crop,
  /// pixels scaled to [−1, 1].
  public static func efficientNetLite0(classNames: [String]) -> ClassifierDescription {
    var description = ClassifierDescription(
      architecture: .efficientNetLite0, classNames: classNames, channels: 3, height: 224,
      width: 224, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], dropout: 0.2)
    description.resizeShorterSide = 256
    return description
  }

  public init(
    architecture: ClassifierArchitecture, classNames: [String], channels: Int, height: Int,
    width: Int, mean: [Float], std: [Float], baseWidth: Int = 32, depth: Int = 2,
    dropout: Float = 0.5
  ) {
    self.architecture = architecture
    self.classNames = classNames
    self.channels = channels
    self.height = height
    self.width = width
    self.mean = mean
    self.std = std
    self.baseWidth = baseWidth
    self.depth = depth
    self.dropout = dropout
  }

  /// The metadata task name of classifiers.
  public static let task = "classification"

  /// The description as model-file metadata.
  public var metadata: [String: String] {
    let classes = (try? JSONSerialization.data(withJSONObject: classNames)).map {
      String(decoding: $0, as: UTF8.self)
    }
    return [
      "task": Self.task,
      ModelFile.architectureKey: architecture.rawValue,
      "classes": classes ?? "[]",
      "input_channels": String(channels), "input_height": String(height),
      "input_width": String(width),
      "mean": mean.map { "\($0)" }.joined(separator: ","),
      "std": std.map { "\($0)" }.joined(separator: ","),
      "base_width": String(baseWidth), "depth": String(depth), "dropout": "\(dropout)",
    ].merging(resizeShorterSide.map { ["resize_shorter_side": String($0)] } ?? [:]) { a, _ in a }
  }

  /// Reads a description back from model-file metadata.
  /// - Throws: `ModelFileError` naming what is missing or wrong.
  public init(metadata: [String: String]) throws {
    guard metadata["task"] == Self.task else {
      throw ModelFileError(
        "this is a \(metadata["task"] ?? "unknown") model, not a classifier")
    }
    guard let name = metadata[ModelFile.architectureKey],
      let architecture = ClassifierArchitecture(rawValue: name)
    else {
      throw ModelFileError(
        "unknown classifier architecture \(metadata[ModelFile.architectureKey] ?? "(none)")")
    }
    func integer(_ key: String) throws -> Int {
      guard let text = metadata[key], let value = Int(text), value > 0, value < 1 << 16 else {
        throw ModelFileError("model metadata \(key) is missing or invalid")
      }
      return value
    }
    func floats(_ key: String) throws -> [Float] {
      let values = (metadata[key] ?? "").split(separator: ",").compactMap { Float(String($0)) }
      guard !values.isEmpty else { throw ModelFileError("model metadata \(key) is missing") }
      return values
    }
    guard let classData = metadata["classes"]?.data(using: .utf8),
      let classNames = try? JSONSerialization.jsonObject(with: classData) as? [String],
      classNames.count >= 2
    else { throw ModelFileError("model metadata classes is missing or invalid") }
    self.init(
      architecture: architecture, classNames: classNames, channels: try integer("input_channels"),
      height: try integer("input_height"), width: try integer("input_width"),
      mean: try floats("mean"), std: try floats("std"), baseWidth: try integer("base_width"),
      depth: try integer("depth"), dropout: Float(metadata["dropout"] ?? "") ?? 0.5)
    guard [1, 3].contains(channels), mean.count == channels, std.count == channels,
      std.allSatisfy({ $0 > 0 })
    else { throw ModelFileError("model metadata has an invalid input format") }
    if metadata["resize_shorter_side"] != nil {
      resizeShorterSide = try integer("resize_shorter_side")
      guard resizeShorterSide! >= max(height, width) else {
        throw ModelFileError("model metadata resize_shorter_side is smaller than the input")
      }
    }
    // Dropout's own precondition would otherwise stop the program on a corrupt file.
    guard dropout >= 0, dropout < 1 else {
      throw ModelFileError("model metadata dropout \(dropout) is not in [0, 1)")
    }
  }
}
