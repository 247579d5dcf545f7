// Image: an 8-bit picture with 1 (grey), 3 (RGB) or 4 (RGBA) interleaved channels, the one type
// every decoder returns and every encoder and transform takes. Reading and writing live in
// ImageIO.swift, the codecs in PNGCodec.swift / JPEGCodec.swift, transforms in their own files.
// Deliberately left out: 16-bit and float pixels (see Gray16Image and FloatMap), colour profiles.

/// An 8-bit image stored row by row, channels interleaved: `pixels[(y·width + x)·channels + c]`.
///
/// Channels are 1 (grey), 3 (RGB) or 4 (RGBA, straight — not premultiplied — alpha).
/// Pixel `(0, 0)` is the top-left corner as the picture should be viewed: decoders have already
/// applied the EXIF orientation of JPEGs.
public struct Image: Equatable, Sendable {
  /// Width in pixels (≥ 1).
  public let width: Int
  /// Height in pixels (≥ 1).
  public let height: Int
  /// Samples per pixel: 1 grey, 3 RGB, 4 RGBA.
  public let channels: Int
  /// `height · width · channels` samples, row-major, channels interleaved.
  public var pixels: [UInt8]

  /// The pixel limit decoders apply unless told otherwise: 100 megapixels.
  public static let defaultPixelLimit = 100_000_000

  /// Wraps existing samples.
  /// - Throws: `ImageError.invalidArgument` when the sizes are not positive, `channels` is not
  ///   1, 3 or 4, or `pixels.count` is not `width · height · channels`.
  public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
    try Image.validate(width: width, height: height, channels: channels)
    guard pixels.count == width * height * channels else {
      throw ImageError.invalidArgument(
        "\(pixels.count) samples do not make a \(width)×\(height)×\(channels) image")
    }
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// An image filled with one colour (`value` has one entry per channel, or one for all).
  /// - Throws: `ImageError.invalidArgument` for bad sizes or a `value` of the wrong length.
  public init(width: Int, height: Int, channels: Int, filledWith value: [UInt8]) throws {
    try Image.validate(width: width, height: height, channels: channels)
    guard value.count == 1 || value.count == channels else {
      throw ImageError.invalidArgument(
        "a fill colour needs 1 or \(channels) values, not \(value.count)")
    }
    let colour = value.count == 1 ? [UInt8](repeating: value[0], count: channels) : value
    var pixels = [UInt8](repeating: 0, count: width * height * channels)
    for i in stride(from: 0, to: pixels.count, by: channels) {
      for c in 0..<channels { pixels[i + c] = colour[c] }
    }
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// Internal: trusted sizes, used by codecs and transforms that computed them.
  init(uncheckedWidth width: Int, height: Int, channels: Int, pixels: [UInt8]) {
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// Whether the image has an alpha channel (4 channels).
  public var hasAlpha: Bool { channels == 4 }

  /// Samples in one row: `width · channels`.
  public var rowLength: Int { width * channels }

  /// The sample at column `x`, row `y`, channel `c` (no bounds check beyond the array's).
  public subscript(x x: Int, y y: Int, channel channel: Int) -> UInt8 {
    get { pixels[(y * width + x) * channels + channel] }
    set { pixels[(y * width + x) * channels + channel] = newValue }
  }

  static func validate(width: Int, height: Int, channels: Int) throws {
    guard width >= 1, height >= 1 else {
      throw ImageError.invalidArgument("an image needs positive sizes, not \(width)×\(height)")
    }
    guard channels == 1 || channels == 3 || channels == 4 else {
      throw ImageError.invalidArgument("an image has 1, 3 or 4 channels, not \(channels)")
    }
    guard width.multipliedReportingOverflow(by: height).overflow == false,
      (width * height).multipliedReportingOverflow(by: channels).overflow == false
    else {
      throw ImageError.invalidArgument("\(width)×\(height) pixels is too many")
    }
  }
}
