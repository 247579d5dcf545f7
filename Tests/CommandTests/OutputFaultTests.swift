// Outputs that cannot be written, end to end through the built binaries: a full disk (a tiny
// tmpfs where the test may mount one, and a file-size limit everywhere), a read-only folder,
// an output path that is a directory, and two `segment` runs writing into one folder at
// once. Each failure is one clear line and a non-zero exit; inputs stay untouched; no
// temporary file is left behind; concurrent writers never leave a torn file.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// A tiny U-Net trained for one short epoch (its masks need not be good, only made).
func tinySegmenter(_ root: String) throws -> String {
  try writeDiscPairs("\(root)/train", count: 2, size: 16)
  let model = "\(root)/tiny.safetensors"
  let run = try runProduct(
    "segment",
    [
      "train", "--images", "\(root)/train/images", "--masks", "\(root)/train/masks", "--epochs",
      "1",
      "--batch-size", "2", "--size", "16", "--width", "2", "--depth", "1", "--steps-per-epoch", "1",
      "--validation-split", "0", "--output", model,
    ])
  #expect(run.status == 0, "\(run.standardError)")
  return model
}

/// A noisy RGB photo (compresses badly, so its outputs take some kilobytes).
func noisyPhoto(_ path: String, width: Int, height: Int, seed: UInt64) throws {
  var state = seed
  let pixels = (0..<(width * height * 3)).map { _ -> UInt8 in
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return UInt8(truncatingIfNeeded: state >> 56)
  }
  try Image(width: width, height: height, channels: 3, pixels: pixels).writePNG(to: path)
}

/// Mounts a tmpfs of `kilobytes` at `folder` (read-only if asked) and returns an unmount
/// action; nil where this process may not mount (not root, or in a restricted container).
func mountTmpfs(_ folder: String, kilobytes: Int, readOnly: Bool = false) -> (() -> Void)? {
  guard getuid() == 0 else { return nil }
  let options = "size=\(kilobytes)k" + (readOnly ? ",ro" : "")
  let mount = Process()
  mount.executableURL = URL(fileURLWithPath: "/bin/mount")
  mount.arguments = ["-t", "tmpfs", "-o", options, "tmpfs", folder]
  mount.standardError = FileHandle.nullDevice
  guard (try? mount.run()) != nil else { return nil }
  mount.waitUntilExit()
  guard mount.terminationStatus == 0 else { return nil }
  return {
    let unmount = Process()
    unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
    unmount.arguments = [folder]
    try? unmount.run()
    unmount.waitUntilExit()
  }
}

/// Runs `segment` through `sh` with a 1-block file-size limit (SIGXFSZ ignored, so writes
/// past it fail with EFBIG): a disk that is full for this process only.
func runWithFileSizeLimit(_ name: String, _ arguments: [String]) throws
  -> (status: Int32, standardError: String)
{
  let binary = productsFolder().appendingPathComponent(name).path
  let quoted = ([binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", "trap '' XFSZ; ulimit -f 1; exec \(quoted)"]
  let error = Pipe()
  process.standardError = error
  process.standardOutput = FileHandle.nullDevice
  try process.run()
  let errData = error.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: errData, as: UTF8.self))
}

@Test func segmentOnAFullDiskFailsInOneLineAndLeavesNothing() throws {
  let root = try makeTemporaryFolder("full")
  let model = try tinySegmenter(root)
  let photo = "\(root)/photo.png"
  try noisyPhoto(photo, width: 96, height: 64, seed: 1)
  let original = try Data(contentsOf: URL(fileURLWithPath: photo))

  // A file-size limit: works for any user (not under ThreadSanitizer, whose runtime itself
  // dies with SIGBUS under RLIMIT_FSIZE; `make tsan` still runs the tmpfs case below).
  if dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") == nil {
    let out = "\(root)/out"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let limited = try runWithFileSizeLimit(
      "segment", [photo, "--model", model, "--overlay", "-o", out])
    #expect(limited.status != 0)
    let lines = limited.standardError.split(separator: "\n")
    #expect(lines.count == 1, "\(limited.standardError)")
    #expect(limited.standardError.contains("photo.overlay.png: cannot write (File too large)"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    #expect(try Data(contentsOf: URL(fileURLWithPath: photo)) == original)
  }

  // A real full file system, where this process may mount one.
  let small = "\(root)/small"
  try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
  guard let unmount = mountTmpfs(small, kilobytes: 8) else {
    return missingPrerequisite("a tmpfs mount (root)")
  }
  defer { unmount() }
  let full = try runProduct("segment", [photo, "--model", model, "--overlay", "-o", small])
  #expect(full.status != 0)
  #expect(full.standardError.split(separator: "\n").count == 1, "\(full.standardError)")
  #expect(full.standardError.contains("No space left on device"))
  #expect(try FileManager.default.contentsOfDirectory(atPath: small).isEmpty)
  #expect(try Data(contentsOf: URL(fileURLWithPath: photo)) == original)
}

@Test func trainingOnAFullDiskFailsInOneLineAndLeavesNothing() throws {
  let root = try makeTemporaryFolder("full-train")
  try writeStripesFolder("\(root)/stripes", perClass: 8, seed: 1)
  let small = "\(root)/small"
  try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
  guard let unmount = mountTmpfs(small, kilobytes: 16) else {
    return missingPrerequisite("a tmpfs mount (root)")
  }
  defer { unmount() }
  let run = try runProduct(
    "classify",
    [
      "train", "\(root)/stripes", "--epochs", "2", "--size", "16", "--width", "4",
      "--output", "\(small)/m.safetensors",
    ])
  #expect(run.status != 0)
  #expect(
    run.standardError.contains(
      "m.safetensors: cannot write the model file (No space left on device)"),
    "\(run.standardError)")
  #expect(try FileManager.default.contentsOfDirectory(atPath: small).isEmpty)
}

@Test func unwritableOutputsFailInOneLine() throws {
  let root = try makeTemporaryFolder("readonly")
  let model = try tinySegmenter(root)
  let photo = "\(root)/photo.png"
  try noisyPhoto(photo, width: 32, height: 32, seed: 2)
  let original = try Data(contentsOf: URL(fileURLWithPath: photo))

  // A read-only folder (root ignores permission bits, so a read-only mount there).
  let locked = "\(root)/locked"
  try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
  var unmount: (() -> Void)? = nil
  if getuid() == 0 {
    unmount = mountTmpfs(locked, kilobytes: 64, readOnly: true)
    if unmount == nil { missingPrerequisite("a read-only tmpfs mount (root)") }
  } else {
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked)
  }
  if getuid() != 0 || unmount != nil {
    let run = try runProduct("segment", [photo, "--model", model, "-o", locked])
    #expect(run.status != 0)
    #expect(run.standardError.split(separator: "\n").count == 1, "\(run.standardError)")
    #expect(run.standardError.contains("photo.mask.png: cannot write"))
    let train = try runProduct(
      "segment",
      [
        "train", "--images", "\(root)/train/images", "--masks", "\(root)/train/masks", "--epochs",
        "1",
        "--size", "16", "--width", "2", "--depth", "1", "--steps-per-epoch", "1",
        "--validation-split", "0", "--output", "\(locked)/m.safetensors",
      ])
    #expect(train.status != 0)
    #expect(
      train.standardError.contains("m.safetensors: cannot write the model file"),
      "\(train.standardError)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: locked).isEmpty)
  }
  unmount?()

  // An output path that is a directory: refused without --force, one line with it.
  try FileManager.default.createDirectory(
    atPath: "\(root)/photo.mask.png", withIntermediateDirectories: true)
  let exists = try runProduct("segment", [photo, "--model", model])
  #expect(exists.status != 0)
  #expect(exists.standardError.contains("already exists"))
  let forced = try runProduct("segment", [photo, "--model", model, "--force"])
  #expect(forced.status != 0)
  #expect(forced.standardError.split(separator: "\n").count == 1, "\(forced.standardError)")
  #expect(forced.standardError.contains("photo.mask.png: cannot write (Is a directory)"))
  try FileManager.default.createDirectory(
    atPath: "\(root)/model-dir", withIntermediateDirectories: true)
  let train = try runProduct(
    "classify",
    [
      "train", "\(root)/train", "--epochs", "1", "--output", "\(root)/model-dir", "--force",
    ])
  #expect(train.status != 0)
  #expect(try hiddenFiles(root).isEmpty)
  #expect(try Data(contentsOf: URL(fileURLWithPath: photo)) == original)
}

@Test func twoSegmentRunsIntoOneFolderNeverTearAFile() throws {
  let root = try makeTemporaryFolder("concurrent")
  let model = try tinySegmenter(root)
  let photos = "\(root)/photos"
  try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
  for index in 0..<12 {
    try noisyPhoto("\(photos)/p\(index).png", width: 80, height: 60, seed: UInt64(index))
  }
  let reference = "\(root)/reference"
  let alone = try runProduct(
    "segment", [photos, "--model", model, "--overlay", "--soft", "-o", reference])
  #expect(alone.status == 0, "\(alone.standardError)")

  // Both with --force: every file is replaced whole, by one run or the other (same bytes).
  let shared = "\(root)/shared"
  let arguments = [photos, "--model", model, "--overlay", "--soft", "-o", shared, "--force"]
  let results = ResultBox()
  DispatchQueue.concurrentPerform(iterations: 2) { _ in
    let result = try? runProduct("segment", arguments)
    results.append(result?.status ?? -1)
  }
  #expect(results.statuses == [0, 0])
  // Without --force: each file is written by exactly one run; the other reports it.
  let once = "\(root)/once"
  let onceArguments = [photos, "--model", model, "--overlay", "-o", once]
  let onceResults = ResultBox()
  DispatchQueue.concurrentPerform(iterations: 2) { _ in
    let result = try? runProduct("segment", onceArguments)
    onceResults.append(result?.status ?? -1)
  }
  for index in 0..<12 {
    for kind in ["overlay", "soft"] {
      let name = "p\(index).\(kind).png"
      let expected = try Data(contentsOf: URL(fileURLWithPath: "\(reference)/\(name)"))
      #expect(
        try Data(contentsOf: URL(fileURLWithPath: "\(shared)/\(name)")) == expected, "\(name)")
    }
    let name = "p\(index).overlay.png"
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: "\(once)/\(name)"))
        == Data(contentsOf: URL(fileURLWithPath: "\(reference)/\(name)")))
  }
  #expect(try hiddenFiles(shared).isEmpty && hiddenFiles(once).isEmpty)
}

/// Exit statuses gathered from concurrent runs.
private final class ResultBox: @unchecked Sendable {
  private let lock = NSLock()
  private var values: [Int32] = []
  func append(_ status: Int32) { lock.withLock { values.append(status) } }
  var statuses: [Int32] { lock.withLock { values } }
}
