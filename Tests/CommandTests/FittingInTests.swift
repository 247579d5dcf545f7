// Behaviour a command-line tool is expected to have (issue "a tool that fits in"), through the
// built binaries: one version on both, --threads, a missing input among many reported while
// the others are processed, and folder walks that never loop or repeat a picture.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// The repository's root, from this file's path.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

@Test func bothCommandsPrintOneVersion() throws {
  let classify = try runProduct("classify", ["--version"])
  let segment = try runProduct("segment", ["--version"])
  #expect(classify.status == 0 && segment.status == 0)
  let version = classify.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
  #expect(version.split(separator: ".").count == 3, "\(version)")
  #expect(segment.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == version)
}

@Test func aMissingInputIsReportedAndTheOthersAreStillLabelled() throws {
  let photo = root.appendingPathComponent("SampleImages/coffee.png").path
  let result = try runProduct(
    "classify", [photo, "/no/such/picture.png", "--format", "csv", "--threads", "1"])
  #expect(result.status != 0)
  #expect(result.standardError.contains("/no/such/picture.png: no such file or directory"))
  #expect(result.standardOutput.contains("coffee.png,espresso"))
  let bad = try runProduct("classify", [photo, "--threads", "0"])
  #expect(bad.status != 0 && bad.standardError.contains("--threads"))
}

@Test func aWalkVisitsEachPictureOnceThroughLinks() throws {
  let folder = try makeTemporaryFolder("walk")
  let pictures = "\(folder)/pics"
  try FileManager.default.createDirectory(atPath: pictures, withIntermediateDirectories: true)
  try Image(width: 16, height: 16, channels: 1, pixels: [UInt8](repeating: 90, count: 256))
    .writePNG(to: "\(pictures)/grey.png")
  // A link to the folder above (a loop) and a second name for the same picture.
  try FileManager.default.createSymbolicLink(atPath: "\(pictures)/loop", withDestinationPath: "..")
  try FileManager.default.createSymbolicLink(
    atPath: "\(pictures)/again.png", withDestinationPath: "grey.png")
  let result = try runProduct("classify", [pictures, "--format", "csv"])
  #expect(result.status == 0, "\(result.standardError)")
  let rows = result.standardOutput.split(separator: "\n").dropFirst()
  #expect(rows.count == 1, "\(result.standardOutput)")
}
