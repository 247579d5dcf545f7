// ImageIO: the public entry points that read, decode, encode and write an `Image`, and the
// little file reading they share. Format comes from the bytes (ImageFormat.sniff); the codecs
// are PNGCodec and JPEGCodec; writes go through AtomicFile.
import Foundation

extension Image {
  /// Reads and decodes a PNG or JPEG file (the format is judged from its bytes).
  ///
  /// JPEGs come out upright (their EXIF orientation applied) as grey or RGB; PNGs as grey, RGB
  /// or RGBA (grey+alpha and tRNS transparency give RGBA), 16-bit samples scaled to 8 bits.
  /// - Parameters:
  ///   - path: the file; its name starts every error message. `-` is standard input (read
  ///     once: a second read of `-` gets the same bytes).
  ///   - pixelLimit: refuse images whose header claims more pixels than this, before
  ///     allocating anything for them.
  ///   - minimumSize: a hint that the caller will shrink the picture to at least this size
  ///     (upright width × height): JPEGs may then be decoded at 1/2, 1/4 or 1/8 scale, several
  ///     times faster. The result is never smaller than this size (unless the file is).
  /// - Returns: the decoded picture.
  /// - Throws: `ImageError` with a one-line message.
  public static func read(
    contentsOf path: String, pixelLimit: Int = defaultPixelLimit,
    minimumSize: (width: Int, height: Int)? = nil
  ) throws -> Image {
    try decode(
      FileBytes.read(path), name: path, pixelLimit: pixelLimit, minimumSize: minimumSize)
  }

  /// Decodes PNG or JPEG bytes, as `read(contentsOf:)` does; `name` starts error messages.
  public static func decode(
    _ bytes: [UInt8], name: String, pixelLimit: Int = defaultPixelLimit,
    minimumSize: (width: Int, height: Int)? = nil
  ) throws -> Image {
    try bytes.withUnsafeBufferPointer {
      try decode($0, name: name, pixelLimit: pixelLimit, minimumSize: minimumSize)
    }
  }

  /// Decodes PNG or JPEG bytes held in `Data`.
  public static func decode(
    _ data: Data, name: String, pixelLimit: Int = defaultPixelLimit,
    minimumSize: (width: Int, height: Int)? = nil
  ) throws -> Image {
    try data.withUnsafeBytes { raw in
      try decode(
        raw.bindMemory(to: UInt8.self), name: name, pixelLimit: pixelLimit,
        minimumSize: minimumSize)
    }
  }

  /// Decodes PNG or JPEG bytes in memory the caller owns.
  public static func decode(
    _ bytes: UnsafeBufferPointer<UInt8>, name: String, pixelLimit: Int = defaultPixelLimit,
    minimumSize: (width: Int, height: Int)? = nil
  ) throws -> Image {
    switch try FileBytes.format(of: bytes, name: name) {
    case .png: return try PNGCodec.decode(bytes, name: name, pixelLimit: pixelLimit)
    case .jpeg:
      return try JPEGCodec.decode(
        bytes, name: name, pixelLimit: pixelLimit, minimumSize: minimumSize)
    }
  }

  /// The PNG file's bytes: 8-bit grey, RGB or RGBA as the image has channels.
  public func encodePNG() throws -> [UInt8] { try PNGCodec.encode(self) }

  /// The JPEG file's bytes (baseline, 4:2:0 chroma for colour). RGBA loses its alpha.
  /// - Parameter quality: 1 (smallest) to 100 (best); 90 keeps photos visually unchanged.
  /// - Returns: the file's bytes.
  /// - Throws: `ImageError` when libjpeg fails.
  public func encodeJPEG(quality: Int = 90) throws -> [UInt8] {
    try JPEGCodec.encode(self, quality: quality)
  }

  /// Writes a PNG atomically: the file appears complete or not at all.
  /// - Parameters:
  ///   - path: where to write.
  ///   - overwrite: replace an existing file; otherwise that is an error.
  /// - Throws: `ImageError.fileExists`, `.writeFailed`.
  public func writePNG(to path: String, overwrite: Bool = false) throws {
    try AtomicFile.write(encodePNG(), to: path, overwrite: overwrite)
  }

  /// Writes a JPEG atomically (see `writePNG` and `encodeJPEG`).
  public func writeJPEG(to path: String, quality: Int = 90, overwrite: Bool = false) throws {
    try AtomicFile.write(encodeJPEG(quality: quality), to: path, overwrite: overwrite)
  }
}

/// Reading whole files and recognising their format, shared by Image and Gray16Image.
enum FileBytes {
  /// Files larger than this are refused before reading (a 100-megapixel RGBA PNG stored
  /// uncompressed is 400 MB).
  static let maximumFileSize = 1 << 30

  /// The whole file, or `ImageError.readFailed` with the system's reason; `-` is standard
  /// input, read to its end the first time and kept (a picture piped in may be needed twice,
  /// e.g. for the network and then for the cut-out).
  static func read(_ path: String) throws -> [UInt8] {
    if path == "-" { return try standardInput.get() }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ImageError.readFailed(path: path, reason: errnoText()) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw ImageError.readFailed(path: path, reason: errnoText())
    }
    if info.st_mode & S_IFMT == S_IFDIR {
      throw ImageError.readFailed(path: path, reason: "is a directory")
    }
    let expected = Int(info.st_size)
    guard expected <= maximumFileSize else {
      throw ImageError.readFailed(path: path, reason: "larger than 1 GiB")
    }
    var bytes = [UInt8](repeating: 0, count: expected)
    var total = 0
    while total < expected {
      let n = bytes.withUnsafeMutableBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return Foundation.read(fd, base + total, expected - total)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw ImageError.readFailed(path: path, reason: errnoText())
      }
      if n == 0 { break }  // the file shrank while we read it
      total += n
    }
    if total < expected { bytes.removeSubrange(total...) }
    return bytes
  }

  /// Standard input's bytes, read once.
  private static let standardInput = Result {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { Foundation.read(0, $0.baseAddress!, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw ImageError.readFailed(path: "-", reason: errnoText())
      }
      if n == 0 { break }
      bytes += chunk[0..<n]
      guard bytes.count <= maximumFileSize else {
        throw ImageError.readFailed(path: "-", reason: "standard input is larger than 1 GiB")
      }
    }
    return bytes
  }

  /// The format of `bytes`, or the error for empty and unrecognised data.
  static func format<Bytes: Collection>(of bytes: Bytes, name: String) throws -> ImageFormat
  where Bytes.Element == UInt8 {
    if bytes.isEmpty { throw ImageError.empty(name: name) }
    guard let format = ImageFormat.sniff(bytes) else { throw ImageError.notAnImage(name: name) }
    return format
  }

  static func errnoText() -> String { String(cString: strerror(errno)) }
}
