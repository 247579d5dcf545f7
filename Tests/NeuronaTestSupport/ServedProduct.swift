// A server binary (`segment serve`, `classify serve`) started by a test on a port the system
// chooses: the port is read from the one line the server prints, and `stop()` sends SIGTERM
// and returns the exit status, as a service manager would.
import Foundation

/// A running server process.
public final class ServedProduct {
  /// The process.
  public let process: Process
  /// The port from its `listening on http://127.0.0.1:PORT` line.
  public let port: Int
  /// The line it printed.
  public let announcement: String
  private let errorLog: String

  /// Starts `name` with `arguments` (which should include `--port 0`) and waits for its line.
  public init(_ name: String, _ arguments: [String]) throws {
    process = Process()
    process.executableURL = productsFolder().appendingPathComponent(name)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    errorLog =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("neurona-serve-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log")
      .path
    _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
    process.standardError = FileHandle(forWritingAtPath: errorLog)
    try process.run()
    var line: [UInt8] = []
    while !line.contains(0x0A) {
      let data = output.fileHandleForReading.availableData
      guard !data.isEmpty else { break }
      line += data
    }
    announcement = String(decoding: line, as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    guard let colon = announcement.lastIndex(of: ":"),
      let port = Int(announcement[announcement.index(after: colon)...])
    else {
      process.terminate()
      process.waitUntilExit()
      let log = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
      throw HTTPTestError("\(name) did not start: \(announcement) \(log)")
    }
    self.port = port
  }

  deinit {
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(atPath: errorLog)
  }

  /// What the server wrote to standard error so far.
  public var standardError: String {
    (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
  }

  /// Sends SIGTERM and waits for the exit; returns the exit status.
  public func stop() -> Int32 {
    if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    process.waitUntilExit()
    return process.terminationStatus
  }
}
