// EXIFOrientation: the orientation tag (0x0112) of a JPEG's EXIF block, and how to read it from
// the TIFF structure inside the APP1 marker. Applying it is `Image.oriented(_:)` (Geometry.swift).
// Leaves out every other EXIF tag.

/// How the stored pixels must be turned to stand upright; raw values are EXIF's 1–8.
///
/// The names say where the stored first row and first column belong in the upright picture
/// (TIFF's convention): `.rightTop` (6) means the stored image must be turned 90° clockwise.
public enum EXIFOrientation: Int, Sendable, CaseIterable {
  /// 1: already upright.
  case topLeft = 1
  /// 2: mirrored left–right.
  case topRight = 2
  /// 3: upside down (turn 180°).
  case bottomRight = 3
  /// 4: mirrored top–bottom.
  case bottomLeft = 4
  /// 5: transposed (mirror along the main diagonal).
  case leftTop = 5
  /// 6: turn 90° clockwise to view.
  case rightTop = 6
  /// 7: transversed (mirror along the anti-diagonal).
  case rightBottom = 7
  /// 8: turn 90° counter-clockwise to view.
  case leftBottom = 8

  /// Whether the upright picture's width is the stored height (orientations 5–8).
  public var swapsAxes: Bool { rawValue >= 5 }

  /// Reads the orientation from an EXIF block (the APP1 payload after `Exif\0\0`: a TIFF header
  /// and IFD0). Anything missing, malformed or out of range gives `.topLeft`.
  public init<Bytes: RandomAccessCollection>(exif: Bytes)
  where Bytes.Element == UInt8, Bytes.Index == Int {
    self = EXIFOrientation.parse(exif) ?? .topLeft
  }

  private static func parse<Bytes: RandomAccessCollection>(_ b: Bytes) -> EXIFOrientation?
  where Bytes.Element == UInt8, Bytes.Index == Int {
    let base = b.startIndex
    guard b.count >= 8 else { return nil }
    let little: Bool
    switch (b[base], b[base + 1]) {
    case (0x49, 0x49): little = true  // "II"
    case (0x4D, 0x4D): little = false  // "MM"
    default: return nil
    }
    func u16(_ offset: Int) -> Int? {
      guard offset >= 0, offset + 2 <= b.count else { return nil }
      let (x, y) = (Int(b[base + offset]), Int(b[base + offset + 1]))
      return little ? x | y << 8 : x << 8 | y
    }
    func u32(_ offset: Int) -> Int? {
      guard let low = u16(little ? offset : offset + 2),
        let high = u16(little ? offset + 2 : offset)
      else { return nil }
      return high << 16 | low
    }
    guard u16(2) == 42, let ifd = u32(4), let entries = u16(ifd) else { return nil }
    for i in 0..<entries {
      let entry = ifd + 2 + 12 * i
      guard let tag = u16(entry) else { return nil }
      if tag == 0x0112 {
        // Type SHORT (3), count 1: the value sits in the first two bytes of the value field.
        guard u16(entry + 2) == 3, let value = u16(entry + 8) else { return nil }
        return EXIFOrientation(rawValue: value)
      }
    }
    return nil
  }
}
