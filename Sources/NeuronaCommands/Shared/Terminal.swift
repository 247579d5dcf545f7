// Talking to the user: stderr lines, and a progress bar drawn only on a terminal.
import Foundation
import Neurona

/// Standard error, line by line.
enum Terminal {
  /// Whether standard error is a terminal (progress bars only then).
  static let stderrIsTerminal = isatty(STDERR_FILENO) != 0

  /// Set on the ranks of an mpirun job but rank 0: their notes would repeat rank 0's.
  nonisolated(unsafe) static var silent = false

  /// Set by the training commands, whose report lists the lines; other commands keep none
  /// (a batch over millions of files must not hold its error lines).
  nonisolated(unsafe) static var keepsLines = false

  /// Writes one line to standard error (nothing when `silent`), and keeps it for a training
  /// report when `keepsLines`.
  static func warn(_ message: String) {
    guard !silent else { return }
    FileHandle.standardError.write(Data((message + "\n").utf8))
    if keepsLines { StderrLines.shared.append(message) }
  }

  /// Every line `warn` wrote in this process, in order.
  static var lines: [String] { StderrLines.shared.all }

  /// "200 images in 3.4 s (58.8/s, 2 workers)", for more than one item, after the progress
  /// bar — on a terminal only, like the bar, so that logs keep one line per problem.
  static func reportThroughput(_ count: Int, _ noun: String, since start: Double) {
    guard count > 1, stderrIsTerminal else { return }
    let seconds = Clock.secondsSince(start)
    warn(
      String(
        format: "%d %@ in %.1f s (%.1f/s, %d workers)", count, noun, seconds,
        Double(count) / seconds, ComputeThreads.workers))
  }
}

/// A one-line progress bar on standard error, redrawn in place; silent when stderr is not
/// a terminal (logs then get one plain line per epoch from the caller).
struct ProgressBar {
  let title: String
  private var lastDrawn = -1.0

  init(title: String) { self.title = title }

  /// Draws `done` of `total` with an optional note (e.g. the running loss).
  mutating func update(_ done: Int, of total: Int, note: String = "") {
    guard Terminal.stderrIsTerminal, total > 0 else { return }
    let now = Date().timeIntervalSince1970
    guard done == total || now - lastDrawn > 0.1 else { return }
    lastDrawn = now
    let width = 30
    let filled = width * done / total
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    FileHandle.standardError.write(Data("\r\(title) \(bar) \(done)/\(total) \(note)\u{1B}[K".utf8))
  }

  /// Clears the bar's line.
  func finish() {
    guard Terminal.stderrIsTerminal else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}

/// The lines written to standard error, kept for the training report; warn may be called from
/// any worker.
private final class StderrLines: @unchecked Sendable {
  static let shared = StderrLines()
  private let lock = NSLock()
  private var lines: [String] = []

  func append(_ line: String) { lock.withLock { lines.append(line) } }
  var all: [String] { lock.withLock { lines } }
}
