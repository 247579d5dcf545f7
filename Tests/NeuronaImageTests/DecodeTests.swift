// Decoding every fixture and comparing with Pillow's decoding of the same file (the table in
// Fixtures/expected/expected.txt, written by scripts/make-image-fixtures.py).
import Foundation
import NeuronaImage
import Testing

@Suite struct DecodeTests {
  /// Each good fixture decodes to Pillow's pixels: exactly (same CRC-32) for 8-bit PNG and every
  /// JPEG, within 1 for 16-bit PNG (libpng rounds v·255/65535, Pillow keeps the high byte).
  @Test(arguments: expectedTable)
  func decodesLikePillow(_ expected: Expected) throws {
    let image = try Image.read(contentsOf: fixture(expected.file))
    #expect(image.width == expected.width)
    #expect(image.height == expected.height)
    #expect(image.channels == expected.channels)
    if expected.reference == "-" {
      #expect(crc32(image.pixels) == expected.crc)
      return
    }
    let reference = try Image.read(contentsOf: fixture(expected.reference))
    // The reference PNG holds exactly Pillow's bytes (checked by its CRC-32) …
    #expect(crc32(reference.pixels) == expected.crc)
    // … and the fixture decodes to within the tolerance of it.
    try #require(reference.pixels.count == image.pixels.count)
    #expect(maxDifference(image.pixels, reference.pixels) <= expected.tolerance)
  }

  @Test func decodesFromBytesAndData() throws {
    let bytes = try fixtureBytes("pngsuite/basn2c08.png")
    let a = try Image.decode(bytes, name: "a.png")
    let b = try Image.decode(Data(bytes), name: "b.png")
    #expect(a == b)
    #expect(a.width == 32 && a.channels == 3)
  }

  /// Every EXIF orientation comes out upright: the same picture as orientation 1 up to JPEG
  /// noise (each file was stored turned the inverse way).
  @Test(arguments: 1...8)
  func appliesEXIFOrientation(_ k: Int) throws {
    let upright = try Image.read(contentsOf: fixture("generated/orientation1.jpg"))
    let image = try Image.read(contentsOf: fixture("generated/orientation\(k).jpg"))
    #expect(image.width == 24 && image.height == 16)
    // Compression noise of a 24×16 q95 JPEG stays below 16 per sample; a wrong orientation moves
    // the red, blue and green corners and differs by 200+.
    #expect(maxDifference(image.pixels, upright.pixels) < 16)
    #expect(image[x: 0, y: 0, channel: 0] > 200)  // red top-left
    #expect(image[x: 23, y: 0, channel: 2] > 200)  // blue top-right
    #expect(image[x: 0, y: 15, channel: 1] > 180)  // green bottom-left
  }

  @Test func parsesBigEndianEXIF() {
    // "MM", 42, IFD at 8; one entry: tag 0x0112, type 3, count 1, value 6.
    let exif: [UInt8] = [
      0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0,
    ]
    #expect(EXIFOrientation(exif: exif) == .rightTop)
    #expect(EXIFOrientation(exif: Array(exif.prefix(15))) == .topLeft)  // cut short
    #expect(EXIFOrientation(exif: [UInt8]()) == .topLeft)
  }

  @Test func sniffsFormatFromBytesNotName() throws {
    let image = try Image.read(contentsOf: fixture("generated/jpeg-named.png"))
    #expect(image.width == 40 && image.height == 30)
    #expect(ImageFormat.sniff(try fixtureBytes("generated/baseline.jpg")) == .jpeg)
    #expect(ImageFormat.sniff(try fixtureBytes("pngsuite/basn0g01.png")) == .png)
    #expect(ImageFormat.sniff(Array("hello".utf8)) == nil)
  }

  /// Asking for a small picture lets libjpeg scale in the DCT: 40×30 with at least 10×8 decodes
  /// at 1/4 (10×8), never below the minimum.
  @Test func scalesJPEGWhenASmallPictureIsEnough() throws {
    let path = fixture("generated/baseline.jpg")
    let quarter = try Image.read(contentsOf: path, minimumSize: (width: 10, height: 8))
    #expect(quarter.width == 10 && quarter.height == 8)
    let full = try Image.read(contentsOf: path, minimumSize: (width: 30, height: 20))
    #expect(full.width == 40 && full.height == 30)
    let eighth = try Image.read(contentsOf: path, minimumSize: (width: 1, height: 1))
    #expect(eighth.width == 5 && eighth.height == 4)
    // A rotated file (stored 16×24, upright 24×16): the minimum is for the upright picture.
    let turned = try Image.read(
      contentsOf: fixture("generated/orientation6.jpg"), minimumSize: (width: 12, height: 8))
    #expect(turned.width == 12 && turned.height == 8)
  }

  @Test func readsSixteenBitGreyExactly() throws {
    let labels = try Gray16Image.read(contentsOf: fixture("pngsuite/basn0g16.png"))
    #expect(labels.width == 32 && labels.height == 32)
    // python3 -c "from PIL import Image; import numpy as np;
    //   a=np.asarray(Image.open('basn0g16.png')); print(a[0,:6].tolist(), a[31,-3:].tolist(),
    //   int(a.astype(np.int64).sum()))"
    // [0, 2304, 4608, 6912, 9216, 11520] [14079, 7167, 255] 37857070
    #expect(Array(labels.values.prefix(6)) == [0, 2304, 4608, 6912, 9216, 11520])
    #expect(Array(labels.values.suffix(3)) == [14079, 7167, 255])
    #expect(labels.values.reduce(0) { $0 + Int($1) } == 37_857_070)
  }
}

/// `png` with a chunk of `type` and `data` inserted after IHDR (8-byte signature, 25-byte IHDR).
private func insertingChunk(_ type: String, _ data: [UInt8], into png: [UInt8]) -> [UInt8] {
  let body = Array(type.utf8) + data
  var length = [UInt8](repeating: 0, count: 4)
  var crc = [UInt8](repeating: 0, count: 4)
  for i in 0..<4 {
    length[i] = UInt8(truncatingIfNeeded: data.count >> (24 - 8 * i))
    crc[i] = UInt8(truncatingIfNeeded: crc32(body) >> (24 - 8 * i))
  }
  return Array(png[0..<33]) + length + body + crc + Array(png[33...])
}

/// PNGs turn upright as Pillow's exif_transpose does: by an eXIf chunk's orientation (a TIFF
/// header, big- or little-endian), or XMP's tiff:Orientation when there is no eXIf.
@Test func pngOrientationFromEXIfAndXMPIsApplied() throws {
  // 3×2 grey, values 0…5 in raster order; orientation 6 turns it a quarter clockwise (2×3).
  let stored = try Image(width: 3, height: 2, channels: 1, pixels: [0, 1, 2, 3, 4, 5]).encodePNG()
  let upright: [UInt8] = [3, 0, 4, 1, 5, 2]
  // TIFF header (MM, 42, IFD at 8), one entry: tag 0x0112, SHORT, count 1, value 6.
  let bigEndianExif: [UInt8] = [
    0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0,
  ]
  let exifPNG = insertingChunk("eXIf", bigEndianExif, into: stored)
  let fromExif = try Image.decode(exifPNG, name: "exif.png")
  #expect(fromExif.width == 2 && fromExif.height == 3 && fromExif.pixels == upright)
  // iTXt: keyword, NUL, compression flag 0, method 0, language "", NUL, translated "", NUL.
  let xmp = #"<x:xmpmeta><rdf:Description tiff:Orientation="6"/></x:xmpmeta>"#
  let itxt = Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + Array(xmp.utf8)
  let fromXMP = try Image.decode(insertingChunk("iTXt", itxt, into: stored), name: "xmp.png")
  #expect(fromXMP.width == 2 && fromXMP.height == 3 && fromXMP.pixels == upright)
  // Without either, as stored.
  #expect(try Image.decode(stored, name: "plain.png").pixels == [0, 1, 2, 3, 4, 5])
}
