// The page of `segment serve` and `classify serve` in a real browser (headless Chromium
// driven by scripts/page-test.py through selenium): choosing SampleImages/astronaut.png shows
// the very cut-out `segment --cutout` writes, and choosing chelsea.png lists the label
// `classify` gives it. Needs Debian's chromium and chromium-driver and Python's selenium
// (scripts/install-deps.sh --tests): skipped without them, failed under CI=true.
import Foundation
import NeuronaTestSupport
import Testing

/// The repository's root, from this file's path.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// Runs scripts/page-test.py against `server`'s page; nil (after recording a missing
/// prerequisite) when the browser, its driver or selenium is missing.
private func drivePage(_ server: ServedProduct, picture: String, extra: [String] = []) throws
  -> (status: Int32, output: String)?
{
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments =
    [
      "python3", root.appendingPathComponent("scripts/page-test.py").path, "--url",
      "http://127.0.0.1:\(server.port)/", "--picture",
      root.appendingPathComponent("SampleImages/\(picture)").path,
    ] + extra
  let output = Pipe()
  process.standardOutput = output
  process.standardError = output
  guard (try? process.run()) != nil else {
    missingPrerequisite("python3")
    return nil
  }
  let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  if process.terminationStatus == 77 {
    missingPrerequisite("chromium, chromium-driver or selenium: \(printed)")
    return nil
  }
  return (process.terminationStatus, printed)
}

@Suite(.serialized) struct ServePageBrowserTests {
  @Test func thePageShowsTheCutOutSegmentWrites() throws {
    let folder = try makeTemporaryFolder("serve-page")
    let astronaut = root.appendingPathComponent("SampleImages/astronaut.png").path
    let command = try runProduct("segment", [astronaut, "--cutout", "-o", folder, "--force"])
    #expect(command.status == 0, "\(command.standardError)")
    let server = try ServedProduct("segment", ["serve", "--port", "0"])
    guard
      let run = try drivePage(
        server, picture: "astronaut.png",
        extra: ["--shown", "\(folder)/shown.png", "--screenshot", "\(folder)/page.png"])
    else { return }
    #expect(run.status == 0, "\(run.output)")
    #expect(run.output.contains("shown: cutout (512×512); download as astronaut.cutout.png"))
    let shown = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(folder)/shown.png")))
    let written = [UInt8](
      try Data(contentsOf: URL(fileURLWithPath: "\(folder)/astronaut.cutout.png")))
    #expect(try samePixels(shown, written))
    #expect(FileManager.default.fileExists(atPath: "\(folder)/page.png"))
    #expect(server.stop() == 0)
  }

  @Test func thePageListsTheLabelClassifyGives() throws {
    let chelsea = root.appendingPathComponent("SampleImages/chelsea.png").path
    let command = try runProduct("classify", [chelsea, "--format", "csv"])
    #expect(command.status == 0, "\(command.standardError)")
    // path,label,confidence → the label.
    let row = command.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    let label = row.split(separator: ",").dropFirst().first.map {
      $0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
    let server = try ServedProduct("classify", ["serve", "--port", "0"])
    guard let run = try drivePage(server, picture: "chelsea.png") else { return }
    #expect(run.status == 0, "\(run.output)")
    let first = run.output.split(separator: "\n").first { $0.hasPrefix("label: ") }
    #expect(first?.hasPrefix("label: \(label ?? "?") — ") == true, "\(run.output) vs \(row)")
    #expect(server.stop() == 0)
  }
}
