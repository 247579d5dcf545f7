// Bad input: every broken, hostile or unsupported file gives the right one-line error and never
// crashes, hangs or aborts the process.
import Foundation
import Neurona
import NeuronaImage
import NeuronaTestSupport
import Testing

@Suite struct BadInputTests {
  @Test func messagesAreOneLineAndNameTheFile() throws {
    #expect(throws: ImageError.notAnImage(name: fixture("generated/text.png"))) {
      try Image.read(contentsOf: fixture("generated/text.png"))
    }
    let text = fixture("generated/text.png")
    #expect(ImageError.notAnImage(name: "photo.jpg").message == "photo.jpg: not a PNG or JPEG file")
    #expect(
      ImageError.truncated(name: "scan.png", format: .png).message
        == "scan.png: truncated PNG data")
    #expect(
      ImageError.tooLarge(
        name: "huge.png", width: 200000, height: 200000,
        limit: 100_000_000
      ).message
        == "huge.png: 200000×200000 pixels exceeds the limit of 100 megapixels")
    _ = text
  }

  @Test func emptyFile() {
    #expect(throws: ImageError.empty(name: "e.png")) {
      try Image.decode(try fixtureBytes("generated/empty.png"), name: "e.png")
    }
  }

  @Test func missingFileAndFolder() throws {
    #expect(
      throws: ImageError.readFailed(
        path: "/nonexistent/x.png",
        reason: "No such file or directory")
    ) {
      try Image.read(contentsOf: "/nonexistent/x.png")
    }
    #expect(throws: ImageError.readFailed(path: fixtures.path, reason: "is a directory")) {
      try Image.read(contentsOf: fixtures.path)
    }
  }

  @Test func hugePNGRefusedBeforeAllocating() {
    let path = fixture("generated/huge.png")
    #expect(
      throws: ImageError.tooLarge(
        name: path, width: 200000, height: 200000,
        limit: 100_000_000)
    ) { try Image.read(contentsOf: path) }
  }

  @Test func hugeJPEGRefusedBeforeAllocating() {
    let path = fixture("generated/huge.jpg")
    #expect(
      throws: ImageError.tooLarge(
        name: path, width: 60000, height: 60000,
        limit: 100_000_000)
    ) { try Image.read(contentsOf: path) }
    // A small limit applies to small files too.
    #expect(throws: ImageError.tooLarge(name: "b.jpg", width: 40, height: 30, limit: 1000)) {
      try Image.decode(try fixtureBytes("generated/baseline.jpg"), name: "b.jpg", pixelLimit: 1000)
    }
  }

  @Test func badCRC() throws {
    let error = #expect(throws: ImageError.self) {
      try Image.read(contentsOf: fixture("generated/bad-crc.png"))
    }
    guard case .corrupt(_, .png, let detail)? = error else {
      Issue.record("expected corrupt PNG, got \(String(describing: error))")
      return
    }
    #expect(detail.contains("CRC"))
  }

  /// libjpeg-turbo here is built for 8-bit samples: a clean "unsupported" error.
  @Test func twelveBitJPEG() throws {
    let error = #expect(throws: ImageError.self) {
      try Image.read(contentsOf: fixture("jpeg/testorig12.jpg"))
    }
    guard case .unsupported(_, .jpeg, let detail)? = error else {
      Issue.record("expected unsupported JPEG, got \(String(describing: error))")
      return
    }
    #expect(detail.contains("precision 12"))
  }

  /// Arithmetic coding is compiled into this libjpeg-turbo: it decodes (to the same picture as
  /// the Huffman-coded testimgint.jpg, which the expected table also checks).
  @Test func arithmeticCodedJPEG() throws {
    let ari = try Image.read(contentsOf: fixture("jpeg/testimgari.jpg"))
    let int = try Image.read(contentsOf: fixture("jpeg/testimgint.jpg"))
    #expect(ari == int)
  }

  /// A progressive JPEG whose last scan is repeated 600 times is refused after 500 scans (each
  /// scan re-runs the entropy decoder; a crafted file could otherwise keep it busy for minutes).
  @Test func tooManyProgressiveScans() throws {
    let bytes = try fixtureBytes("generated/progressive.jpg")
    var lastScan = 0
    for i in 0..<(bytes.count - 1) where bytes[i] == 0xFF && bytes[i + 1] == 0xDA { lastScan = i }
    let end = bytes.count - 2  // EOI
    try #require(bytes[end] == 0xFF && bytes[end + 1] == 0xD9 && lastScan > 0)
    let scan = bytes[lastScan..<end]
    var crafted = Array(bytes[..<end])
    for _ in 0..<600 { crafted += scan }
    crafted += [0xFF, 0xD9]
    #expect(
      throws: ImageError.corrupt(
        name: "scans.jpg", format: .jpeg,
        detail: "more than 500 progressive scans")
    ) { try Image.decode(crafted, name: "scans.jpg") }
  }

  /// Files cut at several points: a clean error every time (truncated, or corrupt when the cut
  /// lands so that the remaining bytes no longer parse), never a crash or a grey-padded image.
  @Test(arguments: [
    "pngsuite/basn2c08.png", "pngsuite/ibasn6a16.png", "pngsuite/basn3p08.png",
    "generated/baseline.jpg", "generated/progressive.jpg", "generated/cmyk.jpg",
    "jpeg/testorig.jpg",
  ])
  func truncatedFiles(_ file: String) throws {
    let bytes = try fixtureBytes(file)
    let cuts = [1, 2, 4, 7, 8, 16, 33, 60, bytes.count / 3, bytes.count / 2, bytes.count - 20]
    for cut in cuts where cut < bytes.count {
      let error = #expect(throws: ImageError.self, "cut at \(cut) of \(bytes.count)") {
        try Image.decode(Array(bytes.prefix(cut)), name: "cut.bin")
      }
      switch error {
      case .truncated?, .corrupt?: break
      default: Issue.record("cut at \(cut): unexpected \(String(describing: error))")
      }
    }
    // The very first cuts are recognised as the format they begin.
    #expect(throws: ImageError.truncated(name: "x", format: ImageFormat.sniff(bytes) ?? .png)) {
      try Image.decode(Array(bytes.prefix(2)), name: "x")
    }
  }

  @Test func randomBytes() {
    var rng = SplitMix64(seed: 7)
    for length in [1, 3, 8, 100, 5000] {
      let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
      #expect(throws: ImageError.self) { try Image.decode(bytes, name: "random") }
    }
    // Random bytes behind a valid signature reach the decoders themselves.
    for signature in [[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], [0xFF, 0xD8, 0xFF]] {
      let bytes =
        signature.map(UInt8.init) + (0..<2000).map { _ in UInt8.random(in: 0...255, using: &rng) }
      #expect(throws: ImageError.self) { try Image.decode(bytes, name: "random") }
    }
  }

  /// Random mutations of every good fixture (flipped bytes, overwritten runs, cuts): each decode
  /// either succeeds or throws an ImageError; nothing crashes, hangs or aborts. Fixed seed,
  /// 4000 decodes of files under 6 KB: under a second in release.
  @Test func mutationLoopNeverCrashes() throws {
    var rng = SplitMix64(seed: 20_261_129)
    let files = try expectedTable.map { try fixtureBytes($0.file) }
    var decoded = 0
    var failed = 0
    for round in 0..<4000 {
      var bytes = files[round % files.count]
      let edits = Int.random(in: 1...4, using: &rng)
      for _ in 0..<edits {
        let at = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
        case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
        case 2:
          for i in at..<min(at + 8, bytes.count) { bytes[i] = 0xFF }
        default: bytes.removeSubrange(max(at, 3)...)
        }
      }
      do {
        let image = try Image.decode(bytes, name: "mutant", pixelLimit: 1_000_000)
        #expect(image.pixels.count == image.width * image.height * image.channels)
        decoded += 1
      } catch is ImageError {
        failed += 1
      }
    }
    #expect(decoded + failed == 4000)
  }
}
