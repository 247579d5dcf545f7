// Shared helpers for the NeuronaImage tests: fixture paths, the expected-values table written by
// scripts/make-image-fixtures.py, CRC-32 and folder listings (temporary folders and the seeded generator come from
// NeuronaTestSupport and Neurona, as in every test target).
import Foundation
import NeuronaImage
import Testing

/// The Fixtures folder beside this file.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures")

func fixture(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }

func fixtureBytes(_ relative: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture(relative))))
}

/// One line of Fixtures/expected/expected.txt: a fixture, Pillow's decoding of it (as a reference
/// PNG and as the CRC-32 of its raw bytes) and the tolerance the comparison allows.
struct Expected: Sendable, CustomTestStringConvertible {
  let file: String
  let reference: String
  let width: Int
  let height: Int
  let channels: Int
  let crc: UInt32
  let tolerance: Int
  var testDescription: String { file }
}

let expectedTable: [Expected] = {
  let text = (try? String(contentsOfFile: fixture("expected/expected.txt"), encoding: .utf8)) ?? ""
  return text.split(separator: "\n").compactMap { line in
    let f = line.split(separator: " ").map(String.init)
    guard f.count == 7, let w = Int(f[2]), let h = Int(f[3]), let c = Int(f[4]),
      let crc = UInt32(f[5], radix: 16), let tol = Int(f[6])
    else { return nil }
    return Expected(
      file: f[0], reference: f[1], width: w, height: h, channels: c, crc: crc, tolerance: tol)
  }
}()

/// CRC-32 (zlib's polynomial), to compare decoded pixels with Pillow's `zlib.crc32(tobytes())`.
func crc32(_ bytes: [UInt8]) -> UInt32 {
  var table = [UInt32](repeating: 0, count: 256)
  for i in 0..<256 {
    var c = UInt32(i)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    table[i] = c
  }
  var crc: UInt32 = 0xFFFF_FFFF
  for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
  return crc ^ 0xFFFF_FFFF
}

/// The largest absolute difference between two equally long sample arrays.
func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
  zip(a, b).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
}

/// The files in a folder, sorted.
func listing(_ folder: String) -> [String] {
  ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}

/// A small deterministic RGB(A) test picture with gradients and edges.
func testPicture(width: Int, height: Int, channels: Int) -> Image {
  var pixels = [UInt8](repeating: 0, count: width * height * channels)
  for y in 0..<height {
    for x in 0..<width {
      for c in 0..<channels {
        let v = c == 3 ? (x * 255 / max(width - 1, 1)) : (x * 7 + y * 13 + c * 50 + (x / 5) * 30)
        pixels[(y * width + x) * channels + c] = UInt8(truncatingIfNeeded: v)
      }
    }
  }
  // Sizes are positive and the count matches, so this cannot fail.
  return (try? Image(width: width, height: height, channels: channels, pixels: pixels))
    ?? Image.placeholder
}

extension Image {
  static let placeholder = try! Image(width: 1, height: 1, channels: 1, pixels: [0])
}
