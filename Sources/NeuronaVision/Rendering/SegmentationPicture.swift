// The pictures `segment` makes of one photo's foreground map, by name (mask, cut-out,
// overlay, soft map): the one place both the command and `segment serve` render them, so a
// file written by the command and an HTTP answer are the same pixels. Instance pictures
// (ids, coloured objects) are the command's alone (InstanceRendering).
import NeuronaImage

/// One of the pictures made from a photo and its foreground probability map.
public enum SegmentationPicture: String, CaseIterable, Sendable {
  /// 8-bit grey, 255 where p ≥ threshold.
  case mask
  /// The photo as RGBA, its background transparent.
  case cutout
  /// The photo with the foreground tinted and outlined.
  case overlay
  /// The probability map as 8-bit grey.
  case soft

  /// Renders this picture.
  /// - Parameters:
  ///   - photo: the segmented picture.
  ///   - map: its foreground probabilities, at its size.
  ///   - mask: `MaskRendering.mask(map, threshold:)`, made once by a caller rendering several.
  ///   - softEdges: the cut-out takes the map itself as alpha (a GrabCut or refined map is an
  ///     alpha matte), not the binary mask.
  /// - Returns: the picture, at the photo's size.
  /// - Throws: `ImageError` when the photo, map and mask differ in size.
  public func render(photo: Image, map: FloatMap, mask: Image, softEdges: Bool = false) throws
    -> Image
  {
    switch self {
    case .mask: return mask
    case .soft: return MaskRendering.soft(map)
    case .cutout:
      return try MaskRendering.cutout(photo, mask: softEdges ? MaskRendering.soft(map) : mask)
    case .overlay: return try MaskRendering.overlay(photo, mask: mask)
    }
  }
}

extension Segmenter {
  /// The foreground probability of every pixel of `image` and the per-class maps it came from
  /// (several for a model of several classes, whose background is class 0), refined to the
  /// photo's edges when `refine` is set.
  public func foreground(of image: Image, refine: Bool = false) throws
    -> (map: FloatMap, classes: [FloatMap])
  {
    let classes = try classProbabilities(image)
    var map =
      classes.count == 1
      ? classes[0]
      : try FloatMap(
        width: image.width, height: image.height, values: classes[0].values.map { 1 - $0 })
    if refine {
      map = try EdgeRefinement.refine(
        map, photo: image, coarseness: description.coarseness(of: image))
    }
    return (map, classes)
  }
}
