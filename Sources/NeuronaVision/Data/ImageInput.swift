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
    try planes(
      path, channels: description.channels, height: description.height, width: description.width)
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
