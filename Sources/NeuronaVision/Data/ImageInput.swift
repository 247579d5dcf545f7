// From image files to network input: decode, convert to the model's channels, resize to its
// input size, scale to [0, 1] planes `[C, H, W]`. Normalisation is the model's business
// (ClassifierDescription.normalize), so datasets can be normalised in one pass.
import NeuronaImage

/// Reading images as network input.
public enum ImageInput {
  /// `path` as `[C, H, W]` floats in [0, 1], converted to `channels` (1 grey, 3 RGB; alpha
  /// composited away) and resized to `width`×`height` (aspect not kept).
  public static func planes(_ path: String, channels: Int, height: Int, width: Int) throws
    -> [Float]
  {
    let image = try Image.read(contentsOf: path, minimumSize: (width, height))
    return try prepare(image, channels: channels, height: height, width: width).floatPlanes()
  }

  /// `path` in the input format of a classifier (not yet normalised).
  public static func planes(_ path: String, for description: ClassifierDescription) throws
    -> [Float]
  {
    let image = try Image.read(contentsOf: path, minimumSize: decodeSize(for: description))
    return try prepare(image, for: description).floatPlanes()
  }

  /// A PNG or JPEG file's `bytes` in the input format of a classifier, exactly as
  /// `planes(_:for:)` reads the same file; `name` starts error messages.
  public static func planes(
    decoding bytes: UnsafeBufferPointer<UInt8>, name: String, for description: ClassifierDescription
  ) throws -> [Float] {
    let image = try Image.decode(bytes, name: name, minimumSize: decodeSize(for: description))
    return try prepare(image, for: description).floatPlanes()
  }

  /// The smallest picture a classifier's input is made from: JPEGs may be decoded scaled
  /// down to it (several times faster).
  static func decodeSize(for description: ClassifierDescription) -> (width: Int, height: Int) {
    description.resizeShorterSide.map { ($0, $0) } ?? (description.width, description.height)
  }

  /// `image` as a classifier sees it: converted to its channels, then resized to its input
  /// size, or (ImageNet models) resized by the shorter side and centre-cropped.
  public static func prepare(_ image: Image, for description: ClassifierDescription) throws
    -> Image
  {
    let (channels, height, width) = (description.channels, description.height, description.width)
    guard let side = description.resizeShorterSide else {
      return try prepare(image, channels: channels, height: height, width: width)
    }
    var result = image
    if result.channels != channels { result = try result.converted(toChannels: channels) }
    let (newWidth, newHeight) = scaledSize(result.width, result.height, shorterSide: side)
    if newWidth != result.width || newHeight != result.height {
      result = try result.resized(width: newWidth, height: newHeight)
    }
    return try result.cropped(
      x: (newWidth - width) / 2, y: (newHeight - height) / 2, width: width, height: height)
  }

  /// The part of an `image` that `prepare(_:for:)` keeps, in its own pixels (the whole image
  /// for models that take all of it): where an explanation belongs.
  public static func visibleRegion(of image: Image, for description: ClassifierDescription)
    -> (x: Int, y: Int, width: Int, height: Int)
  {
    guard let side = description.resizeShorterSide else {
      return (0, 0, image.width, image.height)
    }
    let (newWidth, newHeight) = scaledSize(image.width, image.height, shorterSide: side)
    let width = min(
      image.width, Int((Double(description.width * image.width) / Double(newWidth)).rounded()))
    let height = min(
      image.height, Int((Double(description.height * image.height) / Double(newHeight)).rounded()))
    return ((image.width - width) / 2, (image.height - height) / 2, max(width, 1), max(height, 1))
  }

  /// `width`×`height` scaled so that the shorter side is `shorterSide`, the other rounded half
  /// to even (Python's `round`, as in the reference pre-processing).
  static func scaledSize(_ width: Int, _ height: Int, shorterSide: Int) -> (Int, Int) {
    let scale = Double(shorterSide) / Double(min(width, height))
    return (
      Int((Double(width) * scale).rounded(.toNearestOrEven)),
      Int((Double(height) * scale).rounded(.toNearestOrEven))
    )
  }

  /// `image` converted to `channels` and resized to `width`×`height`.
  public static func prepare(_ image: Image, channels: Int, height: Int, width: Int) throws -> Image
  {
    var result = image
    if result.channels != channels { result = try result.converted(toChannels: channels) }
    if result.width != width || result.height != height {
      result = try result.resized(width: width, height: height)
    }
    return result
  }

  /// The number of channels a file decodes to (1 grey, 3 RGB, 4 RGBA).
  public static func channelCount(_ path: String) throws -> Int {
    try Image.read(contentsOf: path, minimumSize: (8, 8)).channels
  }
}
