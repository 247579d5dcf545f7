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

/// Runs `command` in /bin/sh (for pipes and redirections); returns its exit status.
private func shell(_ command: String) throws -> Int32 {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", command]
  try process.run()
  process.waitUntilExit()
  return process.terminationStatus
}

@Test func aPictureGoesThroughPipes() throws {
  let folder = try makeTemporaryFolder("pipes")
  let segment = productsFolder().appendingPathComponent("segment").path
  let classify = productsFolder().appendingPathComponent("classify").path
  let photo = root.appendingPathComponent("SampleImages/coffee.png").path
  // The same PNG, byte for byte, through a pipe as into a named file.
  #expect(try shell("'\(segment)' - -o - < '\(photo)' > '\(folder)/piped.png'") == 0)
  #expect(try shell("'\(segment)' '\(photo)' -o '\(folder)/named.png'") == 0)
  let piped = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/piped.png"))
  #expect(piped.count > 100)
  #expect(piped == (try Data(contentsOf: URL(fileURLWithPath: "\(folder)/named.png"))))
  #expect(
    try Image.read(contentsOf: "\(folder)/piped.png").width == Image.read(contentsOf: photo).width)
  // classify reads standard input too; its answer is its normal output.
  #expect(try shell("'\(classify)' - --format csv < '\(photo)' > '\(folder)/labels.csv'") == 0)
  let labels = try String(contentsOfFile: "\(folder)/labels.csv", encoding: .utf8)
  #expect(labels.contains("-,espresso"), "\(labels)")
  // Standard input without -o, or -o - with several outputs: one-line errors.
  let noOutput = try runProduct("segment", ["-"])
  #expect(noOutput.status != 0 && noOutput.standardError.contains("needs -o"))
  let two = try runProduct("segment", [photo, "--cutout", "--overlay", "-o", "-"])
  #expect(two.status != 0 && two.standardError.contains("one PNG"))
}

@Test func inputsSharingAStemKeepTheirExtensions() throws {
  let folder = try makeTemporaryFolder("stems")
  let photo = try Image.read(
    contentsOf: root.appendingPathComponent("SampleImages/coffee.png").path)
  try photo.writePNG(to: "\(folder)/hopper.png")
  try FileManager.default.copyItem(
    atPath: root.appendingPathComponent("SampleImages/rocket.jpg").path,
    toPath: "\(folder)/hopper.jpg")
  let result = try runProduct("segment", [folder, "-o", "\(folder)/out"])
  #expect(result.status == 0, "\(result.standardError)")
  let written = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/out").sorted()
  #expect(written == ["hopper.jpg.mask.png", "hopper.png.mask.png"], "\(written)")
}
