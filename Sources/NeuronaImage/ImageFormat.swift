// ImageFormat: which codec a byte stream needs, judged from its first bytes (the signature),
// never from the file name: a JPEG named `.png` decodes as the JPEG it is.

/// The encoded formats NeuronaImage reads and writes.
public enum ImageFormat: String, Sendable, Equatable, CustomStringConvertible {
  /// Portable Network Graphics.
  case png = "PNG"
  /// JPEG (JFIF / EXIF).
  case jpeg = "JPEG"

  /// "PNG" or "JPEG", as used in messages.
  public var description: String { rawValue }

  /// The eight bytes every PNG starts with.
  static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
  /// A JPEG starts with SOI (FF D8) followed by the next marker's FF.
  static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]

  /// The format whose signature `bytes` start with, or nil.
  ///
  /// A byte stream shorter than a signature but equal to its beginning also counts (so a file
  /// cut after 4 bytes is reported as truncated, not as "not an image").
  public static func sniff<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat?
  where Bytes.Element == UInt8 {
    if bytes.isEmpty { return nil }
    for (format, signature) in [(ImageFormat.png, pngSignature), (.jpeg, jpegSignature)] {
      if zip(bytes, signature).allSatisfy({ $0 == $1 }) { return format }
    }
    return nil
  }

  /// The format a file name's extension suggests (for choosing an encoder on write), or nil.
  public static func fromExtension(of path: String) -> ImageFormat? {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = name.lastIndex(of: ".") else { return nil }
    switch name[name.index(after: dot)...].lowercased() {
    case "png": return .png
    case "jpg", "jpeg", "jpe", "jfif": return .jpeg
    default: return nil
    }
  }
}
