// `POST /v1/segment?output=mask|cutout|overlay|soft&threshold=T`: the picture `segment` would
// write for the upload with those options, as PNG (SegmentationPicture renders both).
import NeuronaImage
import NeuronaVision

/// Segmentation served over HTTP with one loaded segmenter.
public final class SegmentEndpoint: ImageEndpoint {
  private let segmenter: Segmenter
  private let model: ServedModel

  /// Serves `segmenter`, loaded from `model`.
  public init(segmenter: Segmenter, model: ServedModel) {
    (self.segmenter, self.model) = (segmenter, model)
  }

  /// `segment`.
  public var task: String { "segment" }

  /// The model's name, file and metadata.
  public var modelDescription: HTTPAnswer {
    model.answer(task: task, metadata: segmenter.description.metadata)
  }

  /// Reads `output` (default `mask`) and `threshold` (default 0.5, strictly between 0 and 1).
  public func prepare(query: [String: String]) throws
    -> (UnsafeBufferPointer<UInt8>) throws -> HTTPAnswer
  {
    let outputName = query["output"] ?? "mask"
    guard let output = SegmentationPicture(rawValue: outputName) else {
      throw HTTPFailure.badRequest(
        "output=\(outputName): expected "
          + SegmentationPicture.allCases.map(\.rawValue).joined(separator: ", "))
    }
    let threshold = try query.number("threshold", in: Float(0)...1, default: 0.5)
    guard threshold > 0, threshold < 1 else {
      throw HTTPFailure.badRequest("threshold=\(threshold): must be between 0 and 1 (exclusive)")
    }
    let segmenter = self.segmenter
    return { bytes in
      let photo = try Image.decode(bytes, name: "upload")
      let map = try segmenter.foreground(of: photo).map
      let mask = MaskRendering.mask(map, threshold: threshold)
      let picture = try output.render(photo: photo, map: map, mask: mask)
      return HTTPAnswer(contentType: "image/png", body: try picture.encodePNG())
    }
  }
}
