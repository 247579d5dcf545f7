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
  URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    .deletingLastPathComponent()
}

/// Runs a built executable (`classify`, `segment`, …) with `arguments` and waits for it;
/// `standardInput`, when given, is what it reads on standard input.
public func runProduct(
  _ name: String, _ arguments: [String], environment: [String: String] = [:],
  currentDirectory: String? = nil, standardInput: Data? = nil
) throws -> ProcessResult {
  let process = Process()
  process.executableURL = productsFolder().appendingPathComponent(name)
  process.arguments = arguments
  var env = ProcessInfo.processInfo.environment
  env.merge(environment) { $1 }
  process.environment = env
  if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
  let output = Pipe()
  let error = Pipe()
  process.standardOutput = output
  process.standardError = error
  let input = Pipe()
  if standardInput != nil { process.standardInput = input }
  try process.run()
  if let standardInput {
    // Written on another thread: a large input must not block while the process's output
    // pipes fill.
    DispatchQueue.global().async {
      input.fileHandleForWriting.write(standardInput)
      try? input.fileHandleForWriting.close()
    }
  }
  // Drain stdout on another thread while this one drains stderr, so a full pipe cannot
  // block the process.
  let collected = OutputBox()
  let group = DispatchGroup()
  DispatchQueue.global().async(group: group) {
    collected.data = output.fileHandleForReading.readDataToEndOfFile()
  }
  let errData = error.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  let outData = collected.data
  return ProcessResult(
    status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
    standardError: String(decoding: errData, as: UTF8.self))
}

/// Holds what the draining thread read, handed over through the group's wait.
private final class OutputBox: @unchecked Sendable {
  var data = Data()
}
