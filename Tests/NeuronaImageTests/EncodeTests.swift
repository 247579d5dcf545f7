// Encoding: PNG round trips are exact, JPEG round trips stay within a stated error, and writes
// are atomic (no overwrite unless asked, no temporary file left behind).
import Foundation
import Neurona
import NeuronaImage
import NeuronaTestSupport
import Testing

@Suite struct EncodeTests {
  @Test(arguments: [1, 3, 4])
  func pngRoundTripIsExact(_ channels: Int) throws {
    let image = testPicture(width: 37, height: 23, channels: channels)
    let back = try Image.decode(try image.encodePNG(), name: "round.png")
    #expect(back == image)
  }

  @Test func sixteenBitGreyRoundTripIsExact() throws {
    let values = (0..<(19 * 11)).map { UInt16(truncatingIfNeeded: $0 * 317) }
    let labels = try Gray16Image(width: 19, height: 11, values: values)
    let bytes = try labels.encodePNG()
    // Bytes 24 and 25 of a PNG are IHDR's bit depth and colour type: 16-bit grey.
    #expect(bytes[24] == 16 && bytes[25] == 0)
    #expect(try Gray16Image.decode(bytes, name: "labels.png") == labels)
  }

  /// q90 of a smooth picture: mean error under 2 levels, worst sample within 16 (measured: mean
  /// 0.46 grey / 1.37 RGB, worst 2 / 9; 4:2:0 halves colour resolution, the rest is quantisation).
  static let jpegMeanTolerance = 2.0
  static let jpegMaxTolerance = 16

  @Test(arguments: [1, 3])
  func jpegRoundTripIsClose(_ channels: Int) throws {
    var pixels = [UInt8](repeating: 0, count: 64 * 48 * channels)
    for y in 0..<48 {
      for x in 0..<64 {
        for c in 0..<channels {
          let v = 128 + 80 * sin(Double(x) / 9 + Double(c)) * cos(Double(y) / 7)
          pixels[(y * 64 + x) * channels + c] = UInt8(v.rounded())
        }
      }
    }
    let image = try Image(width: 64, height: 48, channels: channels, pixels: pixels)
    let back = try Image.decode(try image.encodeJPEG(quality: 90), name: "round.jpg")
    #expect(back.width == 64 && back.height == 48 && back.channels == channels)
    let total = zip(back.pixels, image.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
    #expect(Double(total) / Double(image.pixels.count) < Self.jpegMeanTolerance)
    #expect(maxDifference(back.pixels, image.pixels) < Self.jpegMaxTolerance)
  }

  @Test func jpegDropsAlphaAndChecksQuality() throws {
    let rgba = testPicture(width: 16, height: 16, channels: 4)
    #expect(try Image.decode(try rgba.encodeJPEG(), name: "a.jpg").channels == 3)
    #expect(throws: ImageError.invalidArgument("JPEG quality must be 1–100, not 0")) {
      try rgba.encodeJPEG(quality: 0)
    }
  }

  @Test func writesAtomicallyWithoutOverwriting() throws {
    let folder = try makeTemporaryFolder("image-tests")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/mask.png"
    let first = testPicture(width: 8, height: 8, channels: 1)
    try first.writePNG(to: path)
    #expect(try Image.read(contentsOf: path) == first)

    let second = testPicture(width: 9, height: 9, channels: 3)
    #expect(throws: ImageError.fileExists(path: path)) { try second.writePNG(to: path) }
    #expect(try Image.read(contentsOf: path) == first)  // untouched
    try second.writeJPEG(to: path, overwrite: true)
    #expect(try Image.read(contentsOf: path).width == 9)
    #expect(listing(folder) == ["mask.png"])  // no temporary files left
  }

  @Test func failedWriteLeavesNothing() throws {
    let folder = try makeTemporaryFolder("image-tests")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let image = testPicture(width: 4, height: 4, channels: 3)
    // A missing folder.
    #expect(
      throws: ImageError.writeFailed(
        path: folder + "/no/such/x.png",
        reason: "No such file or directory")
    ) { try image.writePNG(to: folder + "/no/such/x.png") }
    // A directory in the way of a rename.
    try FileManager.default.createDirectory(
      atPath: folder + "/d.png", withIntermediateDirectories: false)
    #expect(throws: ImageError.self) { try image.writePNG(to: folder + "/d.png", overwrite: true) }
    #expect(listing(folder) == ["d.png"])
  }
}
