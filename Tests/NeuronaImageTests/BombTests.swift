// Decompression bombs: a few bytes whose header claims 50 000×50 000 pixels are refused
// before anything is allocated for them, and a PNG whose zlib streams inflate a thousandfold
// (16 MiB of zeros in its IDAT and in a zTXt chunk, 32 KB on disk) costs only the rows the
// header declares: libpng inflates image data into those rows and stops, and text chunks are
// never inflated (png_shims.c).
import Foundation
import NeuronaImage
import Testing

@Suite struct BombTests {
  /// A PNG claiming `width`×`height` 8-bit RGB: signature, IHDR, an empty IDAT (libpng reads
  /// the header up to the first IDAT), IEND.
  private func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
    func bigEndian(_ v: UInt32) -> [UInt8] {
      [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) }
    }
    let chunk = Array("IHDR".utf8) + bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0]
    let idat = Array("IDAT".utf8)
    let iend = Array("IEND".utf8)
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + bigEndian(13) + chunk
      + bigEndian(crc32(chunk)) + bigEndian(0) + idat + bigEndian(crc32(idat)) + bigEndian(0)
      + iend + bigEndian(crc32(iend))
  }

  @Test func fiftyThousandSquaredPNGHeaderIsRefused() {
    let bytes = pngHeader(width: 50_000, height: 50_000)
    #expect(bytes.count == 57)
    #expect(
      throws: ImageError.tooLarge(
        name: "bomb.png", width: 50_000, height: 50_000, limit: 100_000_000)
    ) {
      try Image.decode(bytes, name: "bomb.png")
    }
    #expect(
      throws: ImageError.tooLarge(
        name: "bomb.png", width: 50_000, height: 50_000, limit: 100_000_000)
    ) {
      try Gray16Image.decode(bytes, name: "bomb.png")
    }
  }

  @Test func fiftyThousandSquaredJPEGHeaderIsRefused() throws {
    // baseline.jpg with its frame header (SOF0: FF C0, length, precision, height, width)
    // rewritten to 50 000×50 000.
    var bytes = try fixtureBytes("generated/baseline.jpg")
    let sof = try #require(
      (0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
    for (offset, value) in [(5, 50_000), (7, 50_000)] {
      bytes[sof + offset] = UInt8(value >> 8)
      bytes[sof + offset + 1] = UInt8(value & 0xFF)
    }
    #expect(
      throws: ImageError.tooLarge(
        name: "bomb.jpg", width: 50_000, height: 50_000, limit: 100_000_000)
    ) {
      try Image.decode(bytes, name: "bomb.jpg")
    }
  }

  @Test func deflateBombCostsOnlyTheDeclaredRows() throws {
    let bytes = try fixtureBytes("generated/deflate-bomb.png")
    #expect(bytes.count < 40_000)
    let image = try Image.decode(bytes, name: "deflate-bomb.png")
    // 256×256 grey, all zero: the 16 MiB stream was read only as far as 256 rows need.
    #expect(image.width == 256 && image.height == 256 && image.channels == 1)
    #expect(image.pixels.allSatisfy { $0 == 0 })
  }
}
