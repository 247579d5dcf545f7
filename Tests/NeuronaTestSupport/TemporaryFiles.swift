// Files the tests write: fresh temporary folders, paths in this process's scratch folder, and
// gzip'd bytes (as Fashion-MNIST ships its IDX files). Every test target takes them from here.
import CZlib
import Foundation

/// A new empty folder under the system's temporary folder.
public func makeTemporaryFolder(_ name: String) throws -> String {
  let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("neurona-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// A path for a file called `name` in this test process's scratch folder (created once).
public func scratchPath(_ name: String) -> String {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "neurona-tests-\(getpid())")
  try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  return folder.appendingPathComponent(name).path
}

/// `bytes` compressed as a gzip file (zlib's own writer, so the reader is tested on real gzip).
public func gzip(_ bytes: [UInt8]) -> [UInt8] {
  let path = scratchPath("gzip-\(UInt32.random(in: 0...UInt32.max)).gz")
  defer { unlink(path) }
  let file = gzopen(path, "wb")
  _ = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32(bytes.count)) }
  gzclose(file)
  return [UInt8](FileManager.default.contents(atPath: path) ?? Data())
}
