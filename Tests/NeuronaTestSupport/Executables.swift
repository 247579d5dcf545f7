// Running the package's built executables from tests, as a user would from a shell.
import Foundation

/// What a finished process printed and returned.
public struct ProcessResult {
  public var status: Int32
  public var standardOutput: String
  public var standardError: String
}

/// The folder holding the built products (`.build/<configuration>`): the test runner
/// (`NeuronaPackageTests.xctest`) is built there beside the executables.
public func productsFolder() -> URL {
  URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
}

/// Runs a built executable (`classify`, `segment`, …) with `arguments` and waits for it.
public func runProduct(
  _ name: String, _ arguments: [String], environment: [String: String] = [:],
  currentDirectory: String? = nil
) throws -> ProcessResult {
  let process = Process()
  process.executableURL = productsFolder().appendingPathComponent(name)
  process.arguments = arguments
  var env = ProcessInfo.processInfo.environment
  env.merge(environment) { $1 }
  process.environment = env
  if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
  let output = Pipe(), error = Pipe()
  process.standardOutput = output
  process.standardError = error
  try process.run()
  // Read both pipes while the process runs, so a full pipe cannot block it.
  var outData = Data(), errData = Data()
  let group = DispatchGroup()
  group.enter()
  DispatchQueue.global().async {
    outData = output.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  errData = error.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  return ProcessResult(
    status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
    standardError: String(decoding: errData, as: UTF8.self))
}

/// A new empty folder under the system's temporary folder.
public func makeTemporaryFolder(_ name: String) throws -> String {
  let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("neurona-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}
