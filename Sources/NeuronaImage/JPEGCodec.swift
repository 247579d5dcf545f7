// JPEGCodec: JPEG decode and encode through libjpeg(-turbo), via the CCodecShims wrappers that
// turn libjpeg's exit() on error into a status. Decodes baseline, progressive, arithmetic-coded,
// greyscale and CMYK/YCCK (converted to RGB) files; applies the EXIF orientation; can let libjpeg
// scale by 1/2, 1/4 or 1/8 in the DCT when the caller only needs a small picture.
// Leaves out: 12-bit JPEGs (this libjpeg build is 8-bit), colour profiles, writing EXIF.
import CCodecShims

enum JPEGCodec {
  /// Decodes to grey (1 channel) or RGB (3 channels), upright.
  ///
  /// - Parameters:
  ///   - bytes: the file's bytes.
  ///   - name: the file's name, to start error messages.
  ///   - pixelLimit: refuse larger pictures before allocating them.
  ///   - minimumSize: when set, decode at the smallest of 1/8, 1/4, 1/2, 1/1 of the full size
  ///     that still covers it (after orientation), which is several times faster than decoding
  ///     in full and shrinking afterwards.
  /// - Returns: the decoded picture.
  /// - Throws: `ImageError` with a one-line message.
  static func decode(
    _ bytes: UnsafeBufferPointer<UInt8>, name: String, pixelLimit: Int,
    minimumSize: (width: Int, height: Int)?
  ) throws -> Image {
    guard let decoder = ncs_jpeg_decoder_create() else {
      throw ImageError.corrupt(name: name, format: .jpeg, detail: "out of memory")
    }
    defer { ncs_jpeg_decoder_destroy(decoder) }
    var info = ncs_jpeg_info()
    try check(ncs_jpeg_read_header(decoder, bytes.baseAddress, bytes.count, &info), decoder, name)
    try PNGCodec.checkLimit(
      name: name, width: Int(info.width), height: Int(info.height), limit: pixelLimit)

    var orientation = EXIFOrientation.topLeft
    if let exif = info.exif, info.exif_size > 0 {
      orientation = EXIFOrientation(exif: UnsafeBufferPointer(start: exif, count: info.exif_size))
    }
    if let minimum = minimumSize {
      let (needW, needH) =
        orientation.swapsAxes ? (minimum.height, minimum.width) : (minimum.width, minimum.height)
      let (w, h) = (Int(info.width), Int(info.height))
      // libjpeg's scaled size is ceil(size / denominator).
      if let denominator = [8, 4, 2].first(where: {
        (w + $0 - 1) / $0 >= needW && (h + $0 - 1) / $0 >= needH
      }) {
        try check(ncs_jpeg_set_scale(decoder, UInt32(denominator), &info), decoder, name)
      }
    }

    let (width, height, components) = (Int(info.width), Int(info.height), Int(info.components))
    let count = width * height * components
    let samples = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      guard let base = buffer.baseAddress else { return }
      try check(ncs_jpeg_decode(decoder, base, width * components), decoder, name)
      initialized = count
    }
    var image: Image
    if components == 4 {
      image = cmykToRGB(
        samples, width: width, height: height, inverted: info.adobe_inverted_cmyk != 0)
    } else {
      image = Image(uncheckedWidth: width, height: height, channels: components, pixels: samples)
    }
    if orientation != .topLeft { image = image.oriented(orientation) }
    return image
  }

  /// Encodes grey or RGB (RGBA loses its alpha: JPEG has none) at `quality` 1–100.
  static func encode(_ image: Image, quality: Int) throws -> [UInt8] {
    guard (1...100).contains(quality) else {
      throw ImageError.invalidArgument("JPEG quality must be 1–100, not \(quality)")
    }
    let source = image.channels == 4 ? image.droppingAlpha() : image
    var output: UnsafeMutablePointer<UInt8>? = nil
    var size = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = source.pixels.withUnsafeBufferPointer { pixels in
      ncs_jpeg_encode(
        pixels.baseAddress, UInt32(clamping: source.width), UInt32(clamping: source.height),
        Int32(source.channels), source.rowLength, Int32(quality), &output, &size, &message,
        message.count)
    }
    defer { ncs_free(output) }
    guard status == 0, let output else {
      let text = String(
        decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) },
        as: UTF8.self)
      throw ImageError.invalidArgument("JPEG encoding failed (\(text))")
    }
    return Array(UnsafeBufferPointer(start: output, count: size))
  }

  private static func check(_ status: Int32, _ decoder: OpaquePointer, _ name: String) throws {
    if status == 0 { return }
    let text = String(cString: ncs_jpeg_message(decoder))
    switch ncs_status(rawValue: UInt32(status)) {
    case NCS_TRUNCATED: throw ImageError.truncated(name: name, format: .jpeg)
    case NCS_UNSUPPORTED: throw ImageError.unsupported(name: name, format: .jpeg, detail: text)
    default: throw ImageError.corrupt(name: name, format: .jpeg, detail: text)
    }
  }

  /// CMYK → RGB as Pillow does it: R = (255 − C)(255 − K)/255 rounded, with Adobe's inverted
  /// storage undone first (Photoshop writes 255 − value).
  static func cmykToRGB(_ cmyk: [UInt8], width: Int, height: Int, inverted: Bool) -> Image {
    let count = width * height
    let rgb = [UInt8](unsafeUninitializedCapacity: count * 3) { out, initialized in
      cmyk.withUnsafeBufferPointer { src in
        for i in 0..<count {
          var c = Int(src[4 * i])
          var m = Int(src[4 * i + 1])
          var y = Int(src[4 * i + 2])
          var k = Int(src[4 * i + 3])
          if inverted { (c, m, y, k) = (255 - c, 255 - m, 255 - y, 255 - k) }
          let nk = 255 - k
          out[3 * i] = UInt8(clamping: nk - mulDiv255(c, nk))
          out[3 * i + 1] = UInt8(clamping: nk - mulDiv255(m, nk))
          out[3 * i + 2] = UInt8(clamping: nk - mulDiv255(y, nk))
        }
      }
      initialized = count * 3
    }
    return Image(uncheckedWidth: width, height: height, channels: 3, pixels: rgb)
  }

  /// a·b/255 rounded, exactly as integer code usually writes it.
  @inline(__always) static func mulDiv255(_ a: Int, _ b: Int) -> Int {
    let t = a * b + 128
    return ((t >> 8) + t) >> 8
  }
}
