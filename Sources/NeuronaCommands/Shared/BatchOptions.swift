// `--shard`, `--files-from`, `--skip-existing`, `--manifest`: what `segment` and `classify` take
// to run as one part of a cluster job (Slurm array, Kubernetes Indexed Job, GNU parallel) and
// to pick up after a killed or preempted part. The split itself is NeuronaVision's Shard; the
// manifest's lines are Manifest.swift.
import ArgumentParser
import Foundation
import NeuronaImage
import NeuronaVision

/// The batch-run options `segment` and `classify` pull in with `@OptionGroup`.
struct BatchOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Process only shard K of N (0 ≤ K < N): each input belongs to one shard, by a fixed hash of its path relative to the folder it was found under. 'slurm' reads the Slurm array task's number and count.",
      valueName: "K/N|slurm"))
  var shard: String?

  @Option(
    name: .customLong("files-from"),
    help: ArgumentHelp(
      "Also process the paths in FILE, one a line (- reads them from standard input).",
      valueName: "FILE"))
  var filesFrom: String?

  @Flag(
    help:
      "Leave an input whose outputs are all there and whole (valid PNGs of the picture's size); redo the others. For classify, an input the --manifest already records as done."
  )
  var skipExisting = false

  @Option(
    help: ArgumentHelp(
      "Append one JSON line per input to FILE: path, outputs, status (ok, skipped, error with message), seconds.",
      valueName: "FILE.jsonl"))
  var manifest: String?

  /// The command-line paths followed by `--files-from`'s lines (empty lines left out).
  /// - Throws: `VisionError` when the list cannot be read, or a picture is also to come from
  ///   standard input.
  func inputs(_ paths: [String]) throws -> [String] {
    guard let filesFrom else { return paths }
    if filesFrom == "-", paths.contains("-") {
      throw VisionError(
        "--files-from - reads the list from standard input: a picture cannot come from it too")
    }
    let data: Data
    if filesFrom == "-" {
      data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
      guard let contents = FileManager.default.contents(atPath: filesFrom) else {
        throw VisionError("\(filesFrom): cannot read the list of files (--files-from)")
      }
      data = contents
    }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
      .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
      .filter { !$0.isEmpty }
    return paths + lines
  }

  /// The shard `--shard` names, or nil for the whole run.
  func parsedShard() throws -> Shard? {
    try shard.map { try Shard(parsing: $0, environment: ProcessInfo.processInfo.environment) }
  }

  /// Whether `path`, found under one of `folders`, belongs to this run (always, unsharded).
  func selects(_ path: String, shard: Shard?, folders: [String]) -> Bool {
    guard let shard else { return true }
    return shard.contains(key: Shard.key(for: path, folders: folders))
  }

  /// The manifest named by `--manifest`, opened for appending. An existing manifest is
  /// continued under `--skip-existing` (a rerun adds its lines), replaced under `force`, and
  /// otherwise an error, as every output is.
  func openManifest(force: Bool) throws -> Manifest? {
    guard let manifest else { return nil }
    if FileManager.default.fileExists(atPath: manifest), !skipExisting, !force {
      throw VisionError(
        "\(manifest): already exists (use --skip-existing to continue it, --force to replace it)")
    }
    return try Manifest(path: manifest, truncate: force && !skipExisting)
  }
}

/// The folders among `paths` (what a found file's relative path is measured from).
func folders(among paths: [String]) -> [String] {
  paths.filter { path in
    var isDirectory: ObjCBool = false
    return path != "-" && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      && isDirectory.boolValue
  }
}

/// Whether `path` holds a whole PNG of `width`×`height`: the signature, and a decode that
/// reaches the end of the image data (a cut-off file fails it).
func isWholePNG(_ path: String, width: Int, height: Int) -> Bool {
  guard let data = FileManager.default.contents(atPath: path) else { return false }
  let bytes = [UInt8](data)
  guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
    let image = try? Gray16Image.decode(bytes, name: path)
  else { return false }
  return image.width == width && image.height == height
}
