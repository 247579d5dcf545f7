// End to end through the built binaries: batch runs split with --shard write exactly what one
// run writes, a killed shard rerun with --skip-existing finishes the job redoing only what is
// missing, --files-from reads its list (from standard input too), and bad --shard values are
// refused in one line.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// The repository's sample clothing pictures.
private let fashionSamples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("SampleImages/fashion").path

/// A folder of small pictures in two subfolders, with one stem shared by a PNG and a JPEG
/// (their outputs keep the extension even when the two fall in different shards).
private func writePictureTree(_ root: String, count: Int) throws -> [String] {
  var written: [String] = []
  for index in 0..<count {
    let folder = "\(root)/\(index % 2 == 0 ? "a" : "b/deep")"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let (image, _) = try discPicture(
      width: 24 + index % 5, height: 20 + index % 3, seed: 7 + UInt64(index))
    let path = "\(folder)/pic\(index).png"
    try image.writePNG(to: path)
    written.append(path)
  }
  let (image, _) = try discPicture(width: 30, height: 22, seed: 3)
  try image.writePNG(to: "\(root)/a/twin.png")
  try image.writeJPEG(to: "\(root)/a/twin.jpg")
  return written + ["\(root)/a/twin.png", "\(root)/a/twin.jpg"]
}

/// Every regular file under `folder`, by path relative to it, with its bytes.
private func filesUnder(_ folder: String) throws -> [String: Data] {
  var files: [String: Data] = [:]
  let enumerator = FileManager.default.enumerator(atPath: folder)
  while let relative = enumerator?.nextObject() as? String {
    var isDirectory: ObjCBool = false
    let path = "\(folder)/\(relative)"
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      !isDirectory.boolValue
    {
      files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
    }
  }
  return files
}

/// The manifest's lines as dictionaries.
private func manifestLines(_ path: String) throws -> [[String: Any]] {
  let text = try String(contentsOfFile: path, encoding: .utf8)
  return try text.split(separator: "\n").map {
    try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
  }
}

@Test func threeShardsWriteExactlyWhatOneRunWrites() throws {
  let root = try makeTemporaryFolder("shards")
  let inputs = try writePictureTree("\(root)/pics", count: 12)
  let common = ["\(root)/pics", "--model", "person", "--cutout", "--threads", "1"]
  let whole = try runProduct("segment", common + ["-o", "\(root)/whole"])
  #expect(whole.status == 0, "\(whole.standardError)")
  let expected = try filesUnder("\(root)/whole")
  #expect(expected.count == inputs.count)
  #expect(expected["a/twin.png.cutout.png"] != nil && expected["a/twin.jpg.cutout.png"] != nil)

  var seen: [String] = []
  for k in 0..<3 {
    let shard = try runProduct(
      "segment",
      common + ["-o", "\(root)/sharded", "--shard", "\(k)/3", "--manifest", "\(root)/m\(k).jsonl"])
    #expect(shard.status == 0, "\(shard.standardError)")
    for line in try manifestLines("\(root)/m\(k).jsonl") {
      #expect(line["status"] as? String == "ok")
      seen += try #require(line["outputs"] as? [String])
    }
  }
  // Byte for byte the same files, and no output claimed by two shards.
  #expect(try filesUnder("\(root)/sharded") == expected)
  #expect(seen.count == expected.count && Set(seen).count == seen.count)
  // Every input in exactly one of the concatenated manifests.
  let paths = try (0..<3).flatMap { try manifestLines("\(root)/m\($0).jsonl") }
    .compactMap { $0["path"] as? String }
  #expect(paths.sorted() == inputs.sorted())
}

@Test func aKilledShardRerunWithSkipExistingRedoesOnlyWhatIsMissing() throws {
  let root = try makeTemporaryFolder("resume")
  let inputs = try writePictureTree("\(root)/pics", count: 24)
  let common = ["\(root)/pics", "--model", "person", "--threads", "1", "--shard", "1/2"]
  let reference = try runProduct("segment", common + ["-o", "\(root)/reference"])
  #expect(reference.status == 0, "\(reference.standardError)")
  let expected = try filesUnder("\(root)/reference")
  #expect(!expected.isEmpty && expected.count < inputs.count)

  // Killed once it has written a few outputs (if it finishes first, the damage below still
  // leaves work to redo).
  let manifest = "\(root)/run.jsonl"
  let process = Process()
  process.executableURL = productsFolder().appendingPathComponent("segment")
  process.arguments = common + ["-o", "\(root)/out", "--manifest", manifest]
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  while process.isRunning,
    ((try? String(contentsOfFile: manifest, encoding: .utf8)) ?? "").split(separator: "\n")
      .count < 3
  {
    usleep(5_000)
  }
  kill(process.processIdentifier, SIGKILL)
  process.waitUntilExit()
  // Damage on top: one output deleted, one cut short (as a foreign writer might leave it).
  var present = try filesUnder("\(root)/out").keys.sorted()
  if present.count >= 2 {
    try FileManager.default.removeItem(atPath: "\(root)/out/\(present[0])")
    let cut = "\(root)/out/\(present[1])"
    let bytes = try Data(contentsOf: URL(fileURLWithPath: cut))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
    present.removeFirst(2)
  }
  var identities: [String: Int] = [:]
  for name in present {
    let attributes = try FileManager.default.attributesOfItem(atPath: "\(root)/out/\(name)")
    identities[name] = (attributes[.systemFileNumber] as? Int) ?? -1
  }
  let before = try manifestLines(manifest).count

  let rerun = try runProduct(
    "segment", common + ["-o", "\(root)/out", "--manifest", manifest, "--skip-existing"])
  #expect(rerun.status == 0, "\(rerun.standardError)")
  #expect(try filesUnder("\(root)/out") == expected)
  // The rerun's lines: the whole outputs skipped (and left untouched), the rest redone.
  let lines = try manifestLines(manifest).dropFirst(before)
  #expect(lines.count == expected.count)
  let skipped = lines.filter { $0["status"] as? String == "skipped" }
    .flatMap { ($0["outputs"] as? [String]) ?? [] }
    .map { String($0.dropFirst("\(root)/out/".count)) }
  #expect(skipped.sorted() == present)
  #expect(lines.allSatisfy { ["ok", "skipped"].contains($0["status"] as? String ?? "") })
  for name in present {
    let attributes = try FileManager.default.attributesOfItem(atPath: "\(root)/out/\(name)")
    #expect((attributes[.systemFileNumber] as? Int) == identities[name], "\(name) was rewritten")
  }
}

@Test func classifyReadsItsListFromStandardInputAndRecordsLabels() throws {
  let root = try makeTemporaryFolder("files-from")
  let samples = fashionSamples
  let files = try FileManager.default.contentsOfDirectory(atPath: samples).sorted()
    .map { "\(samples)/\($0)" }
  let list = Data((files.joined(separator: "\n") + "\n").utf8)
  let all = try runProduct(
    "classify", ["--model", "fashionnet", "--format", "csv", "--files-from", "-"],
    standardInput: list)
  #expect(all.status == 0, "\(all.standardError)")
  let rows = all.standardOutput.split(separator: "\n").dropFirst()
  #expect(rows.count == files.count)

  // Two shards of the list: together every row once, and the manifests carry the labels.
  var sharded: [Substring] = []
  for k in 0..<2 {
    let part = try runProduct(
      "classify",
      [
        "--model", "fashionnet", "--format", "csv", "--files-from", "-", "--shard", "\(k)/2",
        "--manifest", "\(root)/labels.jsonl", "--skip-existing",
      ], standardInput: list)
    #expect(part.status == 0, "\(part.standardError)")
    sharded += part.standardOutput.split(separator: "\n").dropFirst()
  }
  #expect(sharded.sorted() == rows.sorted())
  let lines = try manifestLines("\(root)/labels.jsonl")
  #expect(lines.count == files.count)
  for line in lines {
    let labels = try #require(line["labels"] as? [[String: Any]])
    let path = try #require(line["path"] as? String)
    #expect(rows.contains { $0.hasPrefix("\(path),\(labels[0]["label"] as? String ?? "?"),") })
  }
  // Run again: everything is already in the manifest, nothing is labelled twice.
  let again = try runProduct(
    "classify",
    [
      "--model", "fashionnet", "--files-from", "-", "--manifest", "\(root)/labels.jsonl",
      "--skip-existing",
    ], standardInput: list)
  #expect(again.status == 0, "\(again.standardError)")
  let rerun = try manifestLines("\(root)/labels.jsonl").dropFirst(files.count)
  #expect(rerun.count == files.count)
  #expect(rerun.allSatisfy { $0["status"] as? String == "skipped" && $0["labels"] != nil })
}

@Test(arguments: ["3/3", "-1/2", "1", "a/b", "0/0", "1/2/3", "slurm"])
func badShardValuesAreRefusedInOneLine(_ value: String) throws {
  let samples = fashionSamples
  for command in ["segment", "classify"] {
    let run = try runProduct(
      command,
      [samples, "--shard=\(value)", "--model", command == "segment" ? "person" : "fashionnet"],
      environment: ["SLURM_ARRAY_TASK_ID": "", "SLURM_ARRAY_TASK_COUNT": ""])
    #expect(run.status != 0)
    #expect(run.standardError.split(separator: "\n").count == 1, "\(run.standardError)")
    #expect(run.standardError.contains("--shard"))
  }
}

@Test func slurmArrayTasksMapOntoShards() throws {
  // --array=1-3: task 3 is the last of three, shard 2/3.
  let root = try makeTemporaryFolder("slurm")
  let inputs = try writePictureTree("\(root)/pics", count: 6)
  var outputs: [String] = []
  for task in 1...3 {
    let run = try runProduct(
      "segment",
      [
        "\(root)/pics", "--model", "person", "--shard", "slurm", "-o", "\(root)/out", "--manifest",
        "\(root)/m.jsonl", "--skip-existing",
      ],
      environment: [
        "SLURM_ARRAY_TASK_ID": "\(task)", "SLURM_ARRAY_TASK_MIN": "1",
        "SLURM_ARRAY_TASK_COUNT": "3",
      ])
    #expect(run.status == 0, "\(run.standardError)")
  }
  for line in try manifestLines("\(root)/m.jsonl") {
    outputs += (line["outputs"] as? [String]) ?? []
  }
  #expect(outputs.count == inputs.count && Set(outputs).count == inputs.count)
}
