// Transfer learning, the reason most people start from a pretrained network: keep what it
// learned to see (the backbone), put a new classifier for one's own classes on top (the head:
// the last Dense layer, with the Dropout before it), and train. With the backbone frozen its
// output never changes, so each picture's features are computed once and only the head trains
// on them: one forward pass per picture for the whole run, not one per picture per epoch.
// Otherwise everything trains, the backbone at a fraction of the learning rate
// (`Parameter.learningRateScale`) so that the new head's first, large gradients do not wreck
// what it knew.
import Foundation
import Neurona

/// A pretrained classifier prepared for new classes.
public struct TransferSetup {
  /// The whole new classifier: the pretrained network with the new head (what is saved).
  public let classifier: Classifier
  /// The head alone (`[Dropout,] Dense`), sharing its layers with `classifier.network`.
  public let head: Sequential
  /// The parameters below the head.
  public let backbone: [Parameter]
}

extension Classifier {
  /// This classifier's network with a new last Dense layer for `classNames` (kept when they
  /// are this classifier's own classes: then training continues from it). Consumes `self`:
  /// the network is changed in place.
  /// - Throws: `VisionError` for a network that does not end in a Dense layer.
  public func transferred(to classNames: [String], seed: UInt64) throws -> TransferSetup {
    guard let network = network as? Sequential, let last = network.layers.last as? Dense else {
      throw VisionError(
        "transfer learning needs a model whose last layer is a Dense classifier "
          + "(\(description.architecture.rawValue) is not)")
    }
    let index = network.layers.count - 1
    if classNames != description.classNames {
      var generator = SplitMix64(seed: seed &+ 0x7EAD)
      network.replace(
        at: index,
        with: Dense(
          last.inputSize, classNames.count, initializer: .glorotUniform, using: &generator))
    }
    let start = index > 0 && network.layers[index - 1] is Dropout ? index - 1 : index
    let head = Sequential(
      named: Array(zip(network.names[start...], network.layers[start...])))
    var newDescription = description
    newDescription.classNames = classNames
    let headParameters = Set(head.parameters.map(ObjectIdentifier.init))
    return TransferSetup(
      classifier: Classifier(description: newDescription, network: network), head: head,
      backbone: network.parameters.filter { !headParameters.contains(ObjectIdentifier($0)) })
  }
}

extension ClassificationData {
  /// The examples at `path` (an ImageFolder, or Fashion-MNIST's `split`) as the features
  /// `classifier` computes below its head, `[N, F]`, with their labels; the pictures are read
  /// a batch at a time and never held all at once. `progress(done, total)` after each batch.
  public static func features(
    _ path: String, split: FashionMNIST.Split = .train, classifier: Classifier,
    progress: (Int, Int) -> Void = { _, _ in }
  ) throws -> ClassificationData {
    let description = classifier.description
    let batchSize = 64
    var features: [Float] = []
    var labels: [Float] = []
    if FashionMNIST.isDataset(path) {
      let (data, _) = try load(path, split: split, description: description)
      let count = data.examples.count
      for start in stride(from: 0, to: count, by: batchSize) {
        let (input, target) = data.examples.batch(Array(start..<min(start + batchSize, count)))
        features += try classifier.features(input).scalars
        labels += target.scalars
        progress(min(start + batchSize, count), count)
      }
      return ClassificationData(
        examples: TensorDataset(
          inputs: Tensor(shape: [labels.count, features.count / labels.count], scalars: features),
          targets: Tensor(shape: [labels.count], scalars: labels)),
        classNames: data.classNames, sources: data.sources, warnings: data.warnings)
    }
    let folder = try ImageFolder(root: path)
    guard folder.classNames == description.classNames else {
      throw VisionError(
        "\(path): its classes \(folder.classNames) differ from the model's \(description.classNames)"
      )
    }
    var warnings = folder.skipped.map { "\($0): skipped (not a PNG or JPEG file name)" }
    var sources: [String] = []
    for start in stride(from: 0, to: folder.samples.count, by: batchSize) {
      let chunk = Array(folder.samples[start..<min(start + batchSize, folder.samples.count)])
      var decoded = [Result<[Float], Error>?](repeating: nil, count: chunk.count)
      decoded.withUnsafeMutableBufferPointer { slots in
        ComputeThreads.parallel(chunk.count) { i in
          slots[i] = Result { try ImageInput.planes(chunk[i].path, for: description) }
        }
      }
      var pixels: [Float] = []
      for (sample, result) in zip(chunk, decoded) {
        switch result {
        case .success(let planes)?:
          pixels += planes
          labels.append(Float(sample.label))
          sources.append(sample.path)
        case .failure(let error)?: warnings.append("\(error)")
        case nil: break
        }
      }
      let count = pixels.count / (description.channels * description.height * description.width)
      if count > 0 {
        var input = Tensor(
          shape: [count, description.channels, description.height, description.width],
          scalars: pixels)
        description.normalize(&input)
        features += try classifier.features(input).scalars
      }
      progress(start + chunk.count, folder.samples.count)
    }
    guard !labels.isEmpty else { throw VisionError("\(path): no image could be read") }
    return ClassificationData(
      examples: TensorDataset(
        inputs: Tensor(shape: [labels.count, features.count / labels.count], scalars: features),
        targets: Tensor(shape: [labels.count], scalars: labels)),
      classNames: folder.classNames, sources: sources, warnings: warnings)
  }
}
