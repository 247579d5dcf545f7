// Gray16Image: a 16-bit single-channel image, for instance label maps (0 = background, one id
// per object) that overflow 8 bits. Read and written as 16-bit grey PNG, exactly.
// Leaves out: every transform (convert ids to whatever a model needs in that code).

/// A `width × height` grid of 16-bit values, row-major: `values[y·width + x]`.
public struct Gray16Image: Equatable, Sendable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// `height · width` values, row-major.
  public var values: [UInt16]

  /// Wraps values.
  /// - Throws: `ImageError.invalidArgument` when sizes are not positive or the count differs.
  public init(width: Int, height: Int, values: [UInt16]) throws {
    guard width >= 1, height >= 1, values.count == width * height else {
      throw ImageError.invalidArgument(
        "\(values.count) values do not make a \(width)×\(height) image")
    }
    self.width = width
    self.height = height
    self.values = values
  }

  init(uncheckedWidth width: Int, height: Int, values: [UInt16]) {
    self.width = width
    self.height = height
    self.values = values
  }

  /// Reads a PNG as 16-bit grey: 16-bit grey files exactly; 8-bit files (and JPEGs) are
  /// converted to grey and widened, v·257, so 255 becomes 65535.
  /// - Throws: `ImageError` (see `Image.read`).
  public static func read(contentsOf path: String, pixelLimit: Int = Image.defaultPixelLimit)
    throws -> Gray16Image
  {
    try decode(FileBytes.read(path), name: path, pixelLimit: pixelLimit)
  }

  /// Decodes bytes as `read(contentsOf:)` does; `name` is used in error messages.
  public static func decode(
    _ bytes: [UInt8], name: String, pixelLimit: Int = Image.defaultPixelLimit
  ) throws -> Gray16Image {
    switch try FileBytes.format(of: bytes, name: name) {
    case .png:
      return try bytes.withUnsafeBufferPointer {
        try PNGCodec.decodeGray16($0, name: name, pixelLimit: pixelLimit)
      }
    case .jpeg:
      let grey = try Image.decode(bytes, name: name, pixelLimit: pixelLimit)
        .converted(toChannels: 1)
      return Gray16Image(
        uncheckedWidth: grey.width, height: grey.height,
        values: grey.pixels.map { UInt16($0) * 257 })
    }
  }

  /// The 16-bit grey PNG file's bytes.
  public func encodePNG() throws -> [UInt8] { try PNGCodec.encodeGray16(self) }

  /// Writes a 16-bit grey PNG atomically (see `AtomicFile.write`).
  public func writePNG(to path: String, overwrite: Bool = false) throws {
    try AtomicFile.write(encodePNG(), to: path, overwrite: overwrite)
  }
}
