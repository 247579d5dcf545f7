// PNGCodec: PNG decode through libpng's full API (via the CCodecShims wrappers, which catch
// libpng's longjmp) and encode through libpng's simplified png_image_* writer.
//
// Decoding converts every colour type, bit depth, palette, tRNS and interlacing to the 8-bit
// grey / RGB / RGBA layouts of `Image`, with the stored sample values — what Pillow, OpenCV and
// torchvision give, and so what networks are trained on:
// - colour-management chunks (gAMA, sRGB, iCCP, cHRM) are ignored, never applied;
// - 16-bit samples are scaled to 8 bits, v·255/65535 rounded.
// Why not the simplified reader for decoding too: libpng 1.6.39's png_image_finish_read applies
// gAMA (PngSuite's gAMA 1.0 files come out much brighter) and mis-assembles Adam7-interlaced
// 16-bit files when it scales them to 8 bits (ibasn0g16 & co. differ by up to 255).
// Leaves out: writing palettes, interlacing and text chunks (the simplified writer has none).
import CCodecShims
import CPNG

enum PNGCodec {
  // png.h's PNG_FORMAT_* and PNG_IMAGE_VERSION (macros Swift does not import).
  static let formatFlagAlpha: UInt32 = 0x01
  static let formatFlagColor: UInt32 = 0x02
  static let formatFlagLinear: UInt32 = 0x04
  static let imageVersion: UInt32 = 1

  /// Decodes to 8-bit grey (1), RGB (3) or RGBA (4): grey+alpha and tRNS give RGBA.
  static func decode(_ bytes: UnsafeBufferPointer<UInt8>, name: String, pixelLimit: Int)
    throws -> Image
  {
    try withDecoder(bytes, name: name, sixteenBitGrey: false, pixelLimit: pixelLimit) {
      decoder, info in
      let (width, height, channels) = (Int(info.width), Int(info.height), Int(info.channels))
      let count = width * height * channels
      let pixels = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        try check(ncs_png_decode(decoder, base, width * channels), decoder, name)
        initialized = count
      }
      let image = Image(uncheckedWidth: width, height: height, channels: channels, pixels: pixels)
      let orientation = PNGCodec.orientation(info)
      return orientation == .topLeft ? image : image.oriented(orientation)
    }
  }

  /// The orientation a PNG asks for: its eXIf chunk's tag, else XMP's `tiff:Orientation`
  /// (as Pillow's `exif_transpose` reads them), else upright.
  static func orientation(_ info: ncs_png_info) -> EXIFOrientation {
    if let exif = info.exif, info.exif_size > 0 {
      // Some writers keep JPEG's "Exif\0\0" prefix before the TIFF header.
      var payload = UnsafeBufferPointer(start: exif, count: info.exif_size)
      if payload.starts(with: Array("Exif\0\0".utf8)) {
        payload = UnsafeBufferPointer(rebasing: payload.dropFirst(6))
      }
      let orientation = EXIFOrientation(exif: payload)
      if orientation != .topLeft { return orientation }
    }
    guard let xmp = info.xmp, info.xmp_size > 0 else { return .topLeft }
    let text = String(
      decoding: UnsafeRawBufferPointer(start: xmp, count: info.xmp_size), as: UTF8.self)
    return xmpOrientation(text) ?? .topLeft
  }

  /// `tiff:Orientation` in an XMP packet, as an attribute (`tiff:Orientation="6"`) or an
  /// element (`<tiff:Orientation>6</tiff:Orientation>`).
  static func xmpOrientation(_ xmp: String) -> EXIFOrientation? {
    guard let key = xmp.range(of: "tiff:Orientation") else { return nil }
    let digits = xmp[key.upperBound...].drop { !$0.isNumber }.prefix { $0.isNumber }
    guard digits.count == 1, let value = Int(digits),
      xmp[key.upperBound...].prefix(while: { !$0.isNumber }).count <= 3
    else { return nil }
    return EXIFOrientation(rawValue: value)
  }

  /// Decodes to one 16-bit grey channel: 16-bit grey files exactly; 8-bit and lower depths
  /// are widened (v·257, so 255 → 65535); colour is folded to grey and alpha dropped.
  static func decodeGray16(_ bytes: UnsafeBufferPointer<UInt8>, name: String, pixelLimit: Int)
    throws -> Gray16Image
  {
    try withDecoder(bytes, name: name, sixteenBitGrey: true, pixelLimit: pixelLimit) {
      decoder, info in
      let (width, height) = (Int(info.width), Int(info.height))
      let count = width * height
      let values = try [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        let raw = UnsafeMutableRawPointer(base).assumingMemoryBound(to: UInt8.self)
        try check(ncs_png_decode(decoder, raw, width * 2), decoder, name)
        initialized = count
      }
      return Gray16Image(uncheckedWidth: width, height: height, values: values)
    }
  }

  /// Creates a decoder, reads and checks the header, runs `body`, frees the decoder.
  private static func withDecoder<T>(
    _ bytes: UnsafeBufferPointer<UInt8>, name: String, sixteenBitGrey: Bool, pixelLimit: Int,
    _ body: (OpaquePointer, ncs_png_info) throws -> T
  ) throws -> T {
    guard let decoder = ncs_png_decoder_create(bytes.baseAddress, bytes.count) else {
      throw ImageError.corrupt(name: name, format: .png, detail: "out of memory")
    }
    defer { ncs_png_decoder_destroy(decoder) }
    var info = ncs_png_info()
    try check(ncs_png_read_header(decoder, sixteenBitGrey ? 1 : 0, &info), decoder, name)
    try checkLimit(name: name, width: Int(info.width), height: Int(info.height), limit: pixelLimit)
    return try body(decoder, info)
  }

  private static func check(_ status: Int32, _ decoder: OpaquePointer, _ name: String) throws {
    if status == 0 { return }
    let text = String(cString: ncs_png_message(decoder))
    switch ncs_status(rawValue: UInt32(status)) {
    case NCS_TRUNCATED: throw ImageError.truncated(name: name, format: .png)
    case NCS_UNSUPPORTED: throw ImageError.unsupported(name: name, format: .png, detail: text)
    default:
      if text.contains("Not enough image data") {
        throw ImageError.truncated(name: name, format: .png)
      }
      throw ImageError.corrupt(name: name, format: .png, detail: text)
    }
  }

  /// Encodes grey, RGB or RGBA as an 8-bit PNG.
  static func encode(_ image: Image) throws -> [UInt8] {
    let format: UInt32 =
      image.channels == 4
      ? formatFlagColor | formatFlagAlpha
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
    let png = allocateImage()
    png.pointee.width = UInt32(width)
    png.pointee.height = UInt32(height)
    png.pointee.format = format
    defer { release(png) }
    // A first guess that fits almost every image (zlib rarely expands data by more than 0.1 %);
    // if it is too small libpng reports the size it needs and we write again.
    var capacity = raw.count + height + raw.count / 64 + 1024
    for _ in 0..<2 {
      var size = capacity
      var output = [UInt8](repeating: 0, count: capacity)
      let ok = output.withUnsafeMutableBytes { out in
        png_image_write_to_memory(png, out.baseAddress, &size, 0, raw.baseAddress, 0, nil)
      }
      if ok != 0 {
        output.removeSubrange(size...)
        return output
      }
      guard size > capacity else {
        throw ImageError.invalidArgument("PNG encoding failed (\(message(of: png.pointee)))")
      }
      capacity = size
      png.pointee.warning_or_error = 0
    }
    throw ImageError.invalidArgument("PNG encoding failed (output size)")
  }

  /// A png_image on the heap: libpng keeps its address (as the error handler's context), so it
  /// must not move while libpng works — which a Swift local passed with `&` does not promise.
  private static func allocateImage() -> UnsafeMutablePointer<png_image> {
    let png = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
    png.initialize(to: png_image())
    png.pointee.version = imageVersion
    return png
  }

  private static func release(_ png: UnsafeMutablePointer<png_image>) {
    png_image_free(png)
    png.deallocate()
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
}
