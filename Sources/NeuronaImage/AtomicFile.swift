// AtomicFile: write a file so that it appears complete or not at all — the bytes go to a hidden
// temporary file in the same folder, are flushed to disk, and the temporary file is then renamed
// (or hard-linked, when an existing file must not be replaced) onto the destination. A crash
// or error leaves no partial file and no temporary file behind.
import Foundation

/// Atomic whole-file writes (used for every image write; usable for any other file).
public enum AtomicFile {
  /// Writes `bytes` to `path` atomically.
  /// - Parameters:
  ///   - bytes: the whole file.
  ///   - path: where it goes; a temporary file beside it is renamed into place.
  ///   - overwrite: replace an existing file; when false an existing file is an error, checked
  ///     atomically (no window in which another writer's file could be clobbered).
  /// - Throws: `ImageError.fileExists` or `ImageError.writeFailed` (the folder is missing or
  ///   read-only, the disk is full …).
  public static func write(_ bytes: [UInt8], to path: String, overwrite: Bool) throws {
    if !overwrite, access(path, F_OK) == 0 { throw ImageError.fileExists(path: path) }
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    var temporary = ""
    var fd: Int32 = -1
    for _ in 0..<8 {
      let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
      temporary = folder + "/." + url.lastPathComponent + "." + suffix + ".tmp"
      // 0o666 minus the umask: the same permissions a plain create would give.
      fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else { throw ImageError.writeFailed(path: path, reason: FileBytes.errnoText()) }
    var committed = false
    defer { if !committed { unlink(temporary) } }
    do {
      defer { close(fd) }
      try writeAll(bytes, to: fd, path: path)
      guard fsync(fd) == 0 else {
        throw ImageError.writeFailed(path: path, reason: FileBytes.errnoText())
      }
    }
    if overwrite {
      guard rename(temporary, path) == 0 else {
        throw ImageError.writeFailed(path: path, reason: FileBytes.errnoText())
      }
    } else if link(temporary, path) == 0 {
      unlink(temporary)
    } else if errno == EEXIST {
      throw ImageError.fileExists(path: path)
    } else {
      // Filesystems without hard links: fall back to check-then-rename.
      guard access(path, F_OK) != 0 else { throw ImageError.fileExists(path: path) }
      guard rename(temporary, path) == 0 else {
        throw ImageError.writeFailed(path: path, reason: FileBytes.errnoText())
      }
    }
    committed = true
  }

  /// Removes the temporary files a killed writer of any of `paths` left behind (`.NAME.*.tmp`
  /// beside each): what a rerun of an interrupted batch does before writing them again. Each
  /// folder is listed once. Only for paths no other live process is writing.
  public static func removeLeftovers(of paths: [String]) {
    var names: [String: Set<String>] = [:]
    for path in paths {
      let url = URL(fileURLWithPath: path)
      names[url.deletingLastPathComponent().path, default: []].insert(url.lastPathComponent)
    }
    for (folder, wanted) in names {
      guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
        continue
      }
      for entry in entries where entry.hasPrefix(".") && entry.hasSuffix(".tmp") {
        // `.NAME.SUFFIX.tmp`: NAME is what is left after the dot and the last two parts.
        let parts = entry.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, wanted.contains(parts.dropLast(2).joined(separator: ".")) else {
          continue
        }
        unlink(folder + "/" + entry)
      }
    }
  }

  private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws {
    try bytes.withUnsafeBytes { raw in
      var done = 0
      while done < raw.count {
        guard let base = raw.baseAddress else { return }
        let n = Foundation.write(fd, base + done, raw.count - done)
        if n < 0 {
          if errno == EINTR { continue }
          throw ImageError.writeFailed(path: path, reason: FileBytes.errnoText())
        }
        done += n
      }
    }
  }
}
