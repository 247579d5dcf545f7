// Classification datasets in memory: the Fashion-MNIST IDX files or an ImageFolder,
// converted to a classifier's input format and normalised, ready for mini-batches.
import Foundation
import Neurona

/// Labelled examples in a model's input format.
public struct ClassificationData {
  /// Normalised inputs `[N, C, H, W]` and class indices `[N]`.
  public var examples: TensorDataset
  /// Class names, in label order.
  public var classNames: [String]
  /// Where each example came from (file paths, or `split#index` for IDX data).
  public var sources: [String]
  /// Files inside the dataset that could not be used, with the reason (warn about them).
  public var warnings: [String]

  /// Loads `path`: the Fashion-MNIST folder (then `split` chooses train or test) or an
  /// ImageFolder, converted to `description`'s input size, channels and normalisation.
  ///
  /// With `description` nil, the input format is the data's own: 1×28×28 for
  /// Fashion-MNIST; for an ImageFolder the first image's channels (grey or RGB) at
  /// `defaultSize`.
  public static func load(
    _ path: String, split: FashionMNIST.Split = .train, description: ClassifierDescription?,
    defaultSize: Int = 64
  ) throws -> (data: ClassificationData, description: ClassifierDescription) {
    if FashionMNIST.isDataset(path) {
      let (images, labels) = try FashionMNIST.load(split, directory: path)
      let model = description ?? .fashionNet()
      guard model.channels == 1, model.height == 28, model.width == 28 else {
        throw VisionError(
          "the model takes \(model.channels)×\(model.height)×\(model.width) input; "
            + "Fashion-MNIST is 1×28×28")
      }
      var inputs = images
      model.normalize(&inputs)
      let sources = (0..<labels.count).map { "\(split.rawValue)#\($0)" }
      return (
        ClassificationData(
          examples: TensorDataset(inputs: inputs, targets: labels),
          classNames: FashionMNIST.classNames, sources: sources, warnings: []), model
      )
    }
    let folder = try ImageFolder(root: path)
    var warnings = folder.skipped.map { "\($0): skipped (not a PNG or JPEG file name)" }
    let model = try description ?? ClassifierDescription.forImageFolder(folder, size: defaultSize)
    if let description, description.classNames != folder.classNames {
      throw VisionError(
        "\(path): its classes \(folder.classNames) differ from the model's \(description.classNames)"
      )
    }
    var scalars: [Float] = []
    var labels: [Float] = []
    var sources: [String] = []
    let exampleSize = model.channels * model.height * model.width
    scalars.reserveCapacity(folder.samples.count * exampleSize)
    for (file, label) in folder.samples {
      do {
        scalars += try ImageInput.planes(file, for: model)
        labels.append(Float(label))
        sources.append(file)
      } catch {
        warnings.append("\(error)")
      }
    }
    guard !labels.isEmpty else { throw VisionError("\(path): no image could be read") }
    var inputs = Tensor(
      shape: [labels.count, model.channels, model.height, model.width], scalars: scalars)
    model.normalize(&inputs)
    return (
      ClassificationData(
        examples: TensorDataset(
          inputs: inputs, targets: Tensor(shape: [labels.count], scalars: labels)),
        classNames: folder.classNames, sources: sources, warnings: warnings), model
    )
  }

  /// How many examples each class has.
  public var classCounts: [Int] {
    var counts = [Int](repeating: 0, count: classNames.count)
    for label in examples.targets.scalars { counts[Int(label)] += 1 }
    return counts
  }
}

extension ClassifierDescription {
  /// A small CNN for an ImageFolder: the channels of its first image (grey or RGB),
  /// `size`×`size` input, depth from the size (a 4×4..7×7 map before the Dense head).
  static func forImageFolder(_ folder: ImageFolder, size: Int) throws -> ClassifierDescription {
    let channels = try ImageInput.channelCount(folder.samples[0].path) == 1 ? 1 : 3
    var depth = 1
    while size >> (depth + 1) >= 4 && depth < 5 { depth += 1 }
    return ClassifierDescription(
      architecture: .cnn, classNames: folder.classNames, channels: channels, height: size,
      width: size, mean: [Float](repeating: 0.5, count: channels),
      std: [Float](repeating: 0.25, count: channels), baseWidth: 16, depth: depth, dropout: 0.5)
  }
}
