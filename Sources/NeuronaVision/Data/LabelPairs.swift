// Pictures paired with instance label maps (16-bit PNG, 0 background, one id per object),
// found as `MaskPairs.find` finds masks: for training a `boundary3` segmenter and for
// `segment evaluate --instances`.
import NeuronaImage

/// A picture with its instance labels, decoded.
public struct LabelledImage {
  public var image: Image
  /// `width · height` object ids, row-major; 0 is background.
  public var labels: [UInt16]
  public var imagePath: String, labelPath: String
}

extension MaskPairs {
  /// Decodes a picture and its label map, checking that the sizes agree. A label file with
  /// a single non-zero value (a binary mask) becomes one object per connected blob.
  public static func loadLabels(image imagePath: String, labels labelPath: String) throws
    -> LabelledImage
  {
    let image = try Image.read(contentsOf: imagePath)
    let labels = try Gray16Image.read(contentsOf: labelPath)
    guard labels.width == image.width, labels.height == image.height else {
      throw VisionError(
        "\(labelPath): labels are \(labels.width)×\(labels.height) but its image is "
          + "\(image.width)×\(image.height)")
    }
    return LabelledImage(
      image: image, labels: SegmentationTarget.instanceLabels(labels), imagePath: imagePath,
      labelPath: labelPath)
  }

  /// A training pair for `target`: the binary mask (`mask`), or the background / interior /
  /// boundary classes made from the instance labels (`boundary3`) in the mask's place.
  public static func load(
    image imagePath: String, mask maskPath: String, target: SegmentationTarget
  )
    throws -> MaskedImage
  {
    switch target {
    case .mask:
      return try load(image: imagePath, mask: maskPath)
    case .boundary3:
      let pair = try loadLabels(image: imagePath, labels: maskPath)
      let classes = SegmentationTarget.boundaryClasses(
        labels: pair.labels, width: pair.image.width, height: pair.image.height)
      return MaskedImage(image: pair.image, mask: classes, imagePath: imagePath, maskPath: maskPath)
    }
  }
}
