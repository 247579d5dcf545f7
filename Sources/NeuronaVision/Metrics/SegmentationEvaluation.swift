// A segmenter scored on pictures with true masks: what `segment evaluate` prints and what
// `segment train` validates with, computed in one place.
import Foundation

/// One picture's figures.
public struct SegmentationRecord: Encodable, Sendable {
  public var path: String
  /// The true mask's file (not in the JSON: the picture's path names the pair).
  public var maskPath: String
  public var iou: Double, dice: Double, pixelAccuracy: Double
  public var overlap: MaskOverlap

  public init(path: String, maskPath: String = "", overlap: MaskOverlap) {
    self.path = path
    self.maskPath = maskPath
    self.overlap = overlap
    iou = overlap.iou
    dice = overlap.dice
    pixelAccuracy = overlap.pixelAccuracy
  }

  enum CodingKeys: String, CodingKey {
    case path, iou, dice
    case pixelAccuracy = "pixel_accuracy"
  }
}

/// Means over pictures (`iou`, `dice`, `pixel_accuracy`) and figures pooled over all pixels.
public struct SegmentationReport: Encodable, Sendable {
  public var iou: Double, dice: Double, pixelAccuracy: Double
  public var pooledIoU: Double, pooledDice: Double
  public var images: Int
  /// Each picture's figures, when asked for.
  public var perImage: [SegmentationRecord]?

  /// The summary of `records` (at least one).
  public init(records: [SegmentationRecord], keepPerImage: Bool) {
    let count = Double(max(records.count, 1))
    let pooled = records.reduce(MaskOverlap()) { $0 + $1.overlap }
    iou = records.reduce(0) { $0 + $1.iou } / count
    dice = records.reduce(0) { $0 + $1.dice } / count
    pixelAccuracy = records.reduce(0) { $0 + $1.pixelAccuracy } / count
    pooledIoU = pooled.iou
    pooledDice = pooled.dice
    images = records.count
    perImage = keepPerImage ? records : nil
  }

  enum CodingKeys: String, CodingKey {
    case iou, dice, images
    case pixelAccuracy = "pixel_accuracy"
    case pooledIoU = "pooled_iou"
    case pooledDice = "pooled_dice"
    case perImage = "per_image"
  }
}

public enum SegmentationEvaluation {
  /// The overlap of `segmenter`'s prediction (probability ≥ `threshold`) with `pair`'s true
  /// mask, where any class but background counts as foreground.
  /// - Throws: `VisionError` when the picture cannot be segmented.
  public static func overlap(
    of segmenter: Segmenter, on pair: MaskedImage, threshold: Float = 0.5
  ) throws -> MaskOverlap {
    let map = try segmenter.probabilities(pair.image)
    return MaskOverlap(
      predicted: map.values.map { $0 >= threshold }, truth: pair.mask.map { $0 != 0 })
  }

  /// Every picture of `pairs` (loaded one at a time, so a folder of any size fits) scored.
  /// - Throws: `VisionError` or `ImageError` for a pair that cannot be read or segmented.
  public static func records(
    of segmenter: Segmenter, on pairs: [(image: String, mask: String)], threshold: Float = 0.5
  ) throws -> [SegmentationRecord] {
    try pairs.map { pair in
      let data = try MaskPairs.load(image: pair.image, mask: pair.mask)
      return SegmentationRecord(
        path: pair.image, maskPath: pair.mask,
        overlap: try overlap(of: segmenter, on: data, threshold: threshold))
    }
  }
}
