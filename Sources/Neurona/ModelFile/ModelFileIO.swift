// Reading and writing model files and checkpoints whole. Reads go through plain POSIX calls
// (a directory or an unreadable file is one clear error). Writes make the file appear
// complete or not at all: the bytes go to an unnamed file in the destination's folder (Linux
// O_TMPFILE; a hidden temporary name elsewhere), are flushed to disk, and are then given the
// final name by one rename. A run killed at any moment leaves the previous file intact, never a
// torn one; an error (folder read-only, disk full) leaves no temporary file behind. A kill
// between the naming and the rename leaves a hidden temporary, which the next run that owns
// the path removes (`removeStaleTemporaries`).
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

enum ModelFileIO {
  /// Writes `data` to `path`, replacing any file there.
  /// - Throws: `ModelFileError` with the system's reason ("No space left on device", …).
  static func write(_ data: Data, to path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      throw ModelFileError("\(path): cannot write the model file (it is a directory)")
    }
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    let temporary = folder + "/." + url.lastPathComponent + "." + random + ".tmp"
    func failure(_ reason: String) -> ModelFileError {
      ModelFileError("\(path): cannot write the model file (\(reason))")
    }
    // The finished bytes get the temporary name, then one rename makes them the file.
    if try !writeUnnamed(data, folder: folder, linkedAs: temporary, failure) {
      try writeNamed(data, temporary, failure)
    }
    guard rename(temporary, path) == 0 else {
      let reason = errnoText()
      unlink(temporary)
      throw failure(reason)
    }
  }

  /// Removes `.NAME.*.tmp` beside `path`: what `write` leaves when killed between linking its
  /// finished bytes under the temporary name and renaming them (a window of two system calls).
  static func removeStaleTemporaries(of path: String) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let prefix = "." + url.lastPathComponent + "."
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
      unlink(folder + "/" + name)
    }
  }

  /// Writes into an unnamed file in `folder` (Linux O_TMPFILE: even SIGKILL mid-write leaves
  /// nothing behind) and links it as `temporary` once complete.
  /// - Returns: false where unnamed files or /proc are not available (nothing was left).
  private static func writeUnnamed(
    _ data: Data, folder: String, linkedAs temporary: String,
    _ failure: (String) -> ModelFileError
  ) throws -> Bool {
    #if os(Linux)
      let fd = open(folder, __O_TMPFILE | O_WRONLY | O_CLOEXEC, 0o666)
      guard fd >= 0 else { return false }
      defer { close(fd) }
      try writeAll(data, to: fd, failure)
      guard fsync(fd) == 0 else { throw failure(errnoText()) }
      return linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, temporary, AT_SYMLINK_FOLLOW) == 0
    #else
      return false
    #endif
  }

  /// Writes into a new file named `temporary`, removing it again on any failure.
  private static func writeNamed(
    _ data: Data, _ temporary: String, _ failure: (String) -> ModelFileError
  ) throws {
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw failure(errnoText()) }
    var done = false
    defer {
      close(fd)
      if !done { unlink(temporary) }
    }
    try writeAll(data, to: fd, failure)
    guard fsync(fd) == 0 else { throw failure(errnoText()) }
    done = true
  }

  /// The whole file at `path`.
  /// - Throws: `ModelFileError` with the system's reason.
  static func read(_ path: String) throws -> Data {
    func failure(_ reason: String) -> ModelFileError {
      ModelFileError("\(path): cannot read the file (\(reason))")
    }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw failure(errnoText()) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw failure(errnoText()) }
    guard info.st_mode & S_IFMT != S_IFDIR else { throw failure("it is a directory") }
    var data = Data(count: max(0, Int(info.st_size)))
    var total = 0
    while total < data.count {
      let n = data.withUnsafeMutableBytes { raw in
        Foundation.read(fd, raw.baseAddress! + total, raw.count - total)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw failure(errnoText())
      }
      if n == 0 { break }  // the file shrank while we read it
      total += n
    }
    if total < data.count { data.removeSubrange(total...) }
    return data
  }

  private static func writeAll(
    _ data: Data, to fd: Int32, _ failure: (String) -> ModelFileError
  ) throws {
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      guard let base = raw.baseAddress else { return }
      var done = 0
      while done < raw.count {
        let n = Foundation.write(fd, base + done, raw.count - done)
        if n < 0 {
          if errno == EINTR { continue }
          throw failure(errnoText())
        }
        done += n
      }
    }
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }
}
