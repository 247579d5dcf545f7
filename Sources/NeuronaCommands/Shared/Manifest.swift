// The `--manifest` file: one JSON object per line and per input, appended as each input
// finishes, so a killed run leaves the lines of what it did; shards' files concatenate
// (`cat shard-*.jsonl`) into the whole run's. Each line goes out in one write(2) on a file
// opened O_APPEND, so lines from concurrent workers, or from processes sharing the file,
// never interleave.
import Foundation
import NeuronaVision

/// One manifest line.
struct ManifestRecord: Codable {
  /// What became of an input.
  enum Status: String, Codable {
    case ok, skipped, error
  }
  /// One of `classify`'s labels with its probability.
  struct Label: Codable {
    var label: String
    var confidence: Float
  }
  /// The input, as found or listed.
  var path: String
  var status: Status
  /// The files written for it (or found whole, when skipped).
  var outputs: [String]
  /// Wall-clock seconds spent on it.
  var seconds: Double
  /// Why it failed (status `error`).
  var message: String?
  /// `classify`'s labels, most probable first.
  var labels: [Label]?
}

/// An open `--manifest` file.
final class Manifest {
  private let descriptor: Int32
  private let path: String
  private let lock = NSLock()
  private let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  /// Opens (creating) `path` for appending; `truncate` empties it first.
  init(path: String, truncate: Bool) throws {
    self.path = path
    descriptor = open(
      path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o666)
    guard descriptor >= 0 else {
      throw VisionError("\(path): cannot write the manifest (\(String(cString: strerror(errno))))")
    }
  }

  deinit { close(descriptor) }

  /// Appends `record` as one line.
  /// - Throws: `VisionError` when the line cannot be written whole (disk full …).
  func append(_ record: ManifestRecord) throws {
    var line = [UInt8](try encoder.encode(record))
    line.append(0x0A)
    try lock.withLock {
      let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      guard written == line.count else {
        throw VisionError(
          "\(path): cannot write the manifest (\(String(cString: strerror(errno))))")
      }
    }
  }

  /// The records of an existing manifest (none if there is no such file); lines that are not
  /// whole records (the last line of a run killed mid-write) are left out.
  static func records(at path: String) -> [ManifestRecord] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    let decoder = JSONDecoder()
    return data.split(separator: 0x0A).compactMap {
      try? decoder.decode(ManifestRecord.self, from: Data($0))
    }
  }
}
