// A classifier: a network plus the description that says how to feed it and name its
// outputs. Loads from and saves to model files, answers with class probabilities.
import Neurona

/// One label with its probability.
public struct Prediction: Equatable, Sendable {
  public var classIndex: Int
  public var label: String
  public var confidence: Float
}

/// A trained (or training) image classifier.
public final class Classifier {
  public let description: ClassifierDescription
  public let network: Layer
  /// Whether inference shares the cores (SharingChoice.swift).
  private let sharing = SharingChoice()

  /// Wraps a network built from `description`.
  public init(description: ClassifierDescription, network: Layer) {
    self.description = description
    self.network = network
  }

  /// A new, randomly initialised classifier.
  public convenience init(description: ClassifierDescription, seed: UInt64) throws {
    var generator = SplitMix64(seed: seed)
    self.init(
      description: description, network: try description.makeNetwork(seed: seed, using: &generator))
  }

  /// Loads a classifier file: checks it is ours and a classifier, rebuilds the network from
  /// its metadata, then loads the weights.
  public static func load(_ path: String) throws -> Classifier {
    try loadModelFile(path) { file in
      let description = try ClassifierDescription(metadata: file.metadata)
      try file.checkHolds(description.minimumParameterCount)
      let classifier = try Classifier(description: description, seed: 0)
      return (classifier, classifier.network)
    }
  }

  /// Saves weights and description to `path` atomically; `extra` adds metadata (e.g. the
  /// training command).
  public func save(to path: String, extra: [String: String] = [:]) throws {
    try ModelFile.save(
      network, metadata: description.metadata.merging(extra) { _, new in new }, to: path)
  }

  /// The input shape of one example, `[C, H, W]`.
  public var inputShape: [Int] { [description.channels, description.height, description.width] }

  /// Softmax probabilities `[N, K]` for a normalised batch `[N, C, H, W]`.
  public func probabilities(_ batch: Tensor) -> Tensor {
    Softmax.probabilities(sharing.infer(network, batch))
  }

  /// The `k` most probable classes of each example of a normalised batch, best first.
  public func predict(_ batch: Tensor, topK k: Int = 1) -> [[Prediction]] {
    let probabilities = probabilities(batch)
    let classes = description.classNames.count
    return (0..<batch.shape[0]).map { row in
      let values = Array(probabilities.scalars[(row * classes)..<((row + 1) * classes)])
      return values.indices.sorted { values[$0] > values[$1] }.prefix(max(1, k)).map {
        Prediction(classIndex: $0, label: description.classNames[$0], confidence: values[$0])
      }
    }
  }

  /// The `k` most probable classes of each of `count` pictures given as `[C, H, W]` planes in
  /// [0, 1] one after the other (ImageInput.planes): normalised, then predicted. What
  /// `classify` prints and `classify serve` answers.
  public func predict(planes: [Float], count: Int, topK k: Int = 1) -> [[Prediction]] {
    var input = Tensor(shape: [count] + inputShape, scalars: planes)
    normalize(&input)
    return predict(input, topK: k)
  }

  /// Applies the description's normalisation to pixels already scaled to [0, 1],
  /// `[N, C, H, W]`, in place.
  public func normalize(_ batch: inout Tensor) {
    description.normalize(&batch)
  }
}

extension ClassifierDescription {
  /// (x − mean_c) / std_c for each channel c of a `[N, C, H, W]` batch in [0, 1].
  public func normalize(_ batch: inout Tensor) {
    let plane = height * width
    let (mean, std) = (self.mean, self.std)
    let channels = self.channels
    batch.withUnsafeMutableBufferPointer { x in
      for i in 0..<x.count {
        let c = (i / plane) % channels
        x[i] = (x[i] - mean[c]) / std[c]
      }
    }
  }
}
