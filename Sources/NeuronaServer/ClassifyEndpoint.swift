// `POST /v1/classify?top_k=N`: the labels `classify --format json` gives the upload, as
// `{"predictions": [{"label": …, "confidence": …}, …]}` (ImageInput.planes(decoding:) and
// Classifier.predict(planes:) are the command's own steps).
import NeuronaVision

/// Classification served over HTTP with one loaded classifier.
public final class ClassifyEndpoint: ImageEndpoint {
  private let classifier: Classifier
  private let model: ServedModel

  /// Serves `classifier`, loaded from `model`.
  public init(classifier: Classifier, model: ServedModel) {
    (self.classifier, self.model) = (classifier, model)
  }

  /// `classify`.
  public var task: String { "classify" }

  /// The model's name, file and metadata.
  public var modelDescription: HTTPAnswer {
    model.answer(task: task, metadata: classifier.description.metadata)
  }

  /// Reads `top_k` (default 1, as `classify --top-k`; more than the classes gives them all).
  public func prepare(query: [String: String]) throws
    -> (UnsafeBufferPointer<UInt8>) throws -> HTTPAnswer
  {
    let classes = classifier.description.classNames.count
    let k = min(try query.number("top_k", in: 1...Int(Int32.max), default: 1), classes)
    let classifier = self.classifier
    return { bytes in
      let planes = try ImageInput.planes(
        decoding: bytes, name: "upload", for: classifier.description)
      let predictions = classifier.predict(planes: planes, count: 1, topK: k)[0]
      return .json(
        Labels(predictions: predictions.map { .init(label: $0.label, confidence: $0.confidence) }))
    }
  }
}

/// The JSON of one classified upload.
private struct Labels: Encodable {
  struct Entry: Encodable {
    var label: String
    var confidence: Float
  }
  var predictions: [Entry]
}
