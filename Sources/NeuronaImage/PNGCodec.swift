// PNGCodec: PNG decode and encode through libpng's simplified png_image_* API, which catches its
// own errors (no setjmp needed on our side) and converts every colour type, bit depth, palette,
// tRNS and interlacing to the 8-bit grey / RGB / RGBA layouts of `Image`.
//
// Two choices differ from libpng's defaults, so that pixels match what Pillow, OpenCV and
// torchvision give (the values a network was trained on):
// - colour-management chunks (gAMA, sRGB, iCCP, cHRM) are ignored: libpng would otherwise
//   gamma-correct, e.g. PngSuite's gAMA 1.0 files would come out much brighter;
// - 16-bit samples are scaled to 8 bits (v·255/65535, rounded) instead of being treated as
//   linear light and converted to sRGB.
// Leaves out: writing palettes, interlacing and text chunks (the simplified writer has none).
import CPNG

enum PNGCodec {
  // png.h's PNG_FORMAT_* and PNG_IMAGE_* constants (macros Swift does not import).
  static let formatFlagAlpha: UInt32 = 0x01
  static let formatFlagColor: UInt32 = 0x02
  static let formatFlagLinear: UInt32 = 0x04
  static let imageVersion: UInt32 = 1
  static let flag16BitSRGB: UInt32 = 0x04

  /// Decodes to 8-bit grey (1), RGB (3) or RGBA (4): grey+alpha and tRNS give RGBA.
  static func decode(_ bytes: UnsafeBufferPointer<UInt8>, name: String, pixelLimit: Int)
    throws -> Image
  {
    try withColourChunksRemoved(bytes) { data in
      var png = try beginRead(data, name: name)
      defer { png_image_free(&png) }
      let hasAlpha = png.format & formatFlagAlpha != 0
      let hasColor = png.format & formatFlagColor != 0
      let channels = hasAlpha ? 4 : (hasColor ? 3 : 1)
      let (width, height) = (Int(png.width), Int(png.height))
      try checkLimit(name: name, width: width, height: height, limit: pixelLimit)
      png.format = hasAlpha ? formatFlagColor | formatFlagAlpha : (hasColor ? formatFlagColor : 0)
      png.flags |= flag16BitSRGB
      let count = width * height * channels
      let pixels = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        let ok = png_image_finish_read(&png, nil, buffer.baseAddress, 0, nil)
        guard ok != 0 else { throw readError(png, name: name) }
        initialized = count
      }
      return Image(uncheckedWidth: width, height: height, channels: channels, pixels: pixels)
    }
  }

  /// Decodes to one 16-bit grey channel: 16-bit grey files exactly, others widened (v·257)
  /// after conversion to grey.
  static func decodeGray16(_ bytes: UnsafeBufferPointer<UInt8>, name: String, pixelLimit: Int)
    throws -> Gray16Image
  {
    try withColourChunksRemoved(bytes) { data in
      var png = try beginRead(data, name: name)
      defer { png_image_free(&png) }
      let (width, height) = (Int(png.width), Int(png.height))
      try checkLimit(name: name, width: width, height: height, limit: pixelLimit)
      let count = width * height
      if png.format & formatFlagLinear != 0 {
        // 16-bit in the file: linear output of linear (gAMA-less) input is an exact copy.
        png.format = formatFlagLinear
        let values = try [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
          let ok = png_image_finish_read(&png, nil, buffer.baseAddress, 0, nil)
          guard ok != 0 else { throw readError(png, name: name) }
          initialized = count
        }
        return Gray16Image(uncheckedWidth: width, height: height, values: values)
      }
      png.format = 0
      let bytes8 = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        let ok = png_image_finish_read(&png, nil, buffer.baseAddress, 0, nil)
        guard ok != 0 else { throw readError(png, name: name) }
        initialized = count
      }
      return Gray16Image(
        uncheckedWidth: width, height: height, values: bytes8.map { UInt16($0) * 257 })
    }
  }

  /// Encodes grey, RGB or RGBA as an 8-bit PNG.
  static func encode(_ image: Image) throws -> [UInt8] {
    let format: UInt32 =
      image.channels == 4 ? formatFlagColor | formatFlagAlpha
      : (image.channels == 3 ? formatFlagColor : 0)
    return try image.pixels.withUnsafeBytes { raw in
      try write(width: image.width, height: image.height, format: format, raw: raw)
    }
  }

  /// Encodes 16-bit grey (the values are written as they are, big-endian, as PNG wants).
  static func encodeGray16(_ image: Gray16Image) throws -> [UInt8] {
    try image.values.withUnsafeBytes { raw in
      try write(width: image.width, height: image.height, format: formatFlagLinear, raw: raw)
    }
  }

  private static func write(width: Int, height: Int, format: UInt32, raw: UnsafeRawBufferPointer)
    throws -> [UInt8]
  {
    guard width <= Int(Int32.max), height <= Int(Int32.max) else {
      throw ImageError.invalidArgument("\(width)×\(height) is too large for PNG")
    }
    var png = png_image()
    png.version = imageVersion
    png.width = UInt32(width)
    png.height = UInt32(height)
    png.format = format
    defer { png_image_free(&png) }
    // A first guess that fits almost every image (zlib rarely expands data by more than 0.1 %);
    // if it is too small libpng reports the size it needs and we write again.
    var capacity = raw.count + height + raw.count / 64 + 1024
    for _ in 0..<2 {
      var size = capacity
      var output = [UInt8](repeating: 0, count: capacity)
      let ok = output.withUnsafeMutableBytes { out in
        png_image_write_to_memory(&png, out.baseAddress, &size, 0, raw.baseAddress, 0, nil)
      }
      if ok != 0 {
        output.removeSubrange(size...)
        return output
      }
      guard size > capacity else {
        throw ImageError.invalidArgument("PNG encoding failed (\(message(of: png)))")
      }
      capacity = size
      png.warning_or_error = 0
    }
    throw ImageError.invalidArgument("PNG encoding failed (output size)")
  }

  private static func beginRead(_ data: UnsafeBufferPointer<UInt8>, name: String) throws
    -> png_image
  {
    var png = png_image()
    png.version = imageVersion
    guard png_image_begin_read_from_memory(&png, data.baseAddress, data.count) != 0 else {
      let error = readError(png, name: name)
      png_image_free(&png)
      throw error
    }
    return png
  }

  static func checkLimit(name: String, width: Int, height: Int, limit: Int) throws {
    if width * height > limit {
      throw ImageError.tooLarge(name: name, width: width, height: height, limit: limit)
    }
  }

  private static func message(of png: png_image) -> String {
    withUnsafeBytes(of: png.message) { raw in
      String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
  }

  /// Sorts libpng's message into truncated (the data ran out) or corrupt (anything else).
  private static func readError(_ png: png_image, name: String) -> ImageError {
    let text = message(of: png)
    if text.contains("beyond end of data") || text.contains("Not enough image data")
      || text.contains("Read Error")
    {
      return .truncated(name: name, format: .png)
    }
    return .corrupt(name: name, format: .png, detail: text.isEmpty ? "libpng failed" : text)
  }

  /// Calls `body` with the PNG minus its gAMA, sRGB, iCCP and cHRM chunks (a copy is made only
  /// when there are any; they all come before the first IDAT).
  private static func withColourChunksRemoved<T>(
    _ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> T
  ) rethrows -> T {
    var drop: [Range<Int>] = []
    var position = 8
    while position + 8 <= bytes.count {
      let length =
        Int(bytes[position]) << 24 | Int(bytes[position + 1]) << 16
        | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
      let type = (bytes[position + 4], bytes[position + 5], bytes[position + 6], bytes[position + 7])
      let end = position + 12 + length
      if type == (0x49, 0x44, 0x41, 0x54) || type == (0x49, 0x45, 0x4E, 0x44) || end > bytes.count {
        break  // IDAT, IEND, or a length libpng will complain about itself
      }
      let ascii = String(decoding: [type.0, type.1, type.2, type.3], as: UTF8.self)
      if ascii == "gAMA" || ascii == "sRGB" || ascii == "iCCP" || ascii == "cHRM" {
        drop.append(position..<end)
      }
      position = end
    }
    if drop.isEmpty { return try body(bytes) }
    var copy = [UInt8]()
    copy.reserveCapacity(bytes.count)
    var start = 0
    for range in drop {
      copy.append(contentsOf: bytes[start..<range.lowerBound])
      start = range.upperBound
    }
    copy.append(contentsOf: bytes[start...])
    return try copy.withUnsafeBufferPointer { try body($0) }
  }
}
