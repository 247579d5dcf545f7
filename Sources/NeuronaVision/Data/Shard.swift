// Shard: one of N parts of a batch run (a Slurm array task, a Kubernetes Indexed Job's pod, a
// GNU parallel slot). Each input belongs to exactly one shard, decided by a fixed hash of its
// path relative to the folder it was found under, so the split depends neither on the machine,
// the walk order nor the other shards. Not here: finding the files (ImageFiles) and what a
// shard does with them (the commands).
import Foundation

/// Shard `index` of `count` (0 ≤ index < count), as `--shard K/N` names it.
public struct Shard: Equatable, CustomStringConvertible {
  /// This shard's number, from 0.
  public let index: Int
  /// How many shards the run is split into.
  public let count: Int

  /// Shard `index` of `count`.
  /// - Throws: `VisionError` unless 0 ≤ index < count.
  public init(index: Int, count: Int) throws {
    guard count >= 1 else { throw VisionError("--shard: the number of shards must be at least 1") }
    guard (0..<count).contains(index) else {
      throw VisionError(
        "--shard \(index)/\(count): K must be in 0..<\(count) (shards count from 0)")
    }
    (self.index, self.count) = (index, count)
  }

  /// Parses `K/N`, or `slurm`: this Slurm array task among the array's
  /// (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`) / `SLURM_ARRAY_TASK_STEP` of
  /// `SLURM_ARRAY_TASK_COUNT`, so `--array=1-8` and `--array=0-14:2` work as well as `0-7`.
  /// - Throws: `VisionError` naming what is wrong, in one line.
  public init(parsing text: String, environment: [String: String]) throws {
    if text == "slurm" {
      func number(_ name: String, default value: Int? = nil) throws -> Int {
        guard let raw = environment[name] else {
          if let value { return value }
          throw VisionError("--shard slurm: $\(name) is not set (not inside a Slurm job array?)")
        }
        guard let number = Int(raw) else {
          throw VisionError("--shard slurm: $\(name) is '\(raw)', not a whole number")
        }
        return number
      }
      let id = try number("SLURM_ARRAY_TASK_ID")
      let first = try number("SLURM_ARRAY_TASK_MIN", default: 0)
      let step = max(1, try number("SLURM_ARRAY_TASK_STEP", default: 1))
      try self.init(index: (id - first) / step, count: try number("SLURM_ARRAY_TASK_COUNT"))
      return
    }
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
      throw VisionError(
        "--shard '\(text)': expected K/N (e.g. 0/4; 0 ≤ K < N) or slurm")
    }
    try self.init(index: index, count: count)
  }

  /// `K/N`.
  public var description: String { "\(index)/\(count)" }

  /// Whether the input with this key (`Shard.key`) is this shard's.
  public func contains(key: String) -> Bool {
    Shard.number(of: key, among: count) == index
  }

  /// The shard (0..<count) a key belongs to: FNV-1a 64 of its UTF-8 bytes, mixed by the
  /// SplitMix64 finaliser (FNV's low bits are weak: its lowest is the parity of the bytes'),
  /// reduced to 0..<count by a multiply-high. Fixed forever: changing it would reshuffle every
  /// half-finished run.
  public static func number(of key: String, among count: Int) -> Int {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in key.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
    hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
    hash ^= hash >> 31
    return Int(hash.multipliedFullWidth(by: UInt64(count)).high)
  }

  /// What an input is hashed by: its path relative to the folder among `folders` it was found
  /// under (`photos/a/1.png` found under `photos` → `a/1.png`), or the path as written for a
  /// file named directly. So the same tree gives the same split wherever it is mounted.
  public static func key(for path: String, folders: [String]) -> String {
    for folder in folders {
      let prefix = folder.hasSuffix("/") ? folder : folder + "/"
      if path.hasPrefix(prefix) { return String(path.dropFirst(prefix.count)) }
    }
    return path
  }
}
