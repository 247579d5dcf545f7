// Shared by the fuzz targets: starting libFuzzer, the input as bytes, and a scratch file for
// loaders that read from a path (IDX through zlib's gzopen, model files). Each fuzzer process
// has its own file in /dev/shm (memory), reused for every input.
import Foundation

/// libFuzzer's entry point for programs that have their own `main` (SwiftPM executables do).
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<Int32>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// One fuzz input: `data` (nil when empty) and its size.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

/// Runs libFuzzer with this process's arguments on `target`, then exits.
public func runFuzzer(_ target: FuzzTarget) -> Never {
  var argc = CommandLine.argc
  var argv = CommandLine.unsafeArgv
  exit(llvmFuzzerRunDriver(&argc, &argv, target))
}

/// The fuzzer's input as an array.
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
  guard let data else { return [] }
  return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Writes `bytes` to this process's scratch file and returns its path.
public func scratchFile(_ bytes: [UInt8]) -> String {
  let folder =
    FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
  let path = "\(folder)/neurona-fuzz-\(getpid())"
  _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
  return path
}

/// The largest picture the image fuzzers decode (keeps each run fast; the limit check
/// itself is the same code whatever the limit).
public let fuzzPixelLimit = 1 << 22
