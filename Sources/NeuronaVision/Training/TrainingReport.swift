// What a training run leaves beside its model for people: NAME.curves.png (CurvesChart) and
// NAME.report.html, one self-contained page (the picture embedded as data, no scripts, nothing
// fetched) with the curves, the command, the data, the model's size, the time per epoch and
// the warnings the run printed — the page to attach to a model card or a ticket.
import Foundation
import Neurona
import NeuronaImage

public struct TrainingReport {
  /// The model file the report describes.
  public var modelPath: String
  /// The command line that trained it.
  public var command: String
  /// Lines that describe the data (class counts, image/mask counts).
  public var data: [String]
  public var parameterCount: Int
  public var curves: [EpochFigures]
  public var bestEpoch: Int
  /// What the validation score is ("accuracy", "IoU").
  public var scoreName: String
  /// Warnings the run printed, in order.
  public var warnings: [String]

  public init(
    modelPath: String, command: String, data: [String], parameterCount: Int,
    curves: [EpochFigures], bestEpoch: Int, scoreName: String, warnings: [String]
  ) {
    self.modelPath = modelPath
    self.command = command
    self.data = data
    self.parameterCount = parameterCount
    self.curves = curves
    self.bestEpoch = bestEpoch
    self.scoreName = scoreName
    self.warnings = warnings
  }

  /// `model.safetensors` → `model.curves.png` and `model.report.html` (same folder).
  public static func paths(besideModel path: String) -> (curves: String, report: String) {
    let url = URL(fileURLWithPath: path)
    let stem = url.deletingPathExtension().lastPathComponent
    let folder = url.deletingLastPathComponent()
    return (
      folder.appendingPathComponent(stem + ".curves.png").path,
      folder.appendingPathComponent(stem + ".report.html").path
    )
  }

  /// Writes both files beside the model (replacing earlier ones, as the model was).
  /// - Returns: the two paths.
  /// - Throws: `ImageError` when a file cannot be written.
  @discardableResult
  public func write() throws -> (curves: String, report: String) {
    let paths = Self.paths(besideModel: modelPath)
    // A run killed while writing these (a resumed run's predecessor) left hidden temporaries.
    AtomicFile.removeLeftovers(of: [paths.curves, paths.report])
    let png = try CurvesChart.image(curves, bestEpoch: bestEpoch, scoreName: scoreName)
      .encodePNG()
    try AtomicFile.write(png, to: paths.curves, overwrite: true)
    try AtomicFile.write(Array(html(curvesPNG: png).utf8), to: paths.report, overwrite: true)
    return paths
  }

  /// The page, with `curvesPNG` embedded.
  public func html(curvesPNG: [UInt8]) -> String {
    let name = URL(fileURLWithPath: modelPath).lastPathComponent
    let bytes =
      (try? FileManager.default.attributesOfItem(atPath: modelPath)[.size] as? Int) ?? nil
    let times = curves.compactMap(\.seconds)
    let perEpoch = times.isEmpty ? nil : times.reduce(0, +) / Double(times.count)
    let best = curves.first { $0.epoch == bestEpoch }
    var facts: [(String, String)] = [
      ("parameters", Self.grouped(parameterCount)),
      ("file size", bytes.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "—"),
      ("epochs", "\(curves.count)"),
      ("time per epoch", perEpoch.map { String(format: "%.1f s", $0) } ?? "—"),
      ("best epoch", bestEpoch > 0 ? "\(bestEpoch)" : "—"),
    ]
    if let score = best?.validationScore {
      facts.append(("validation \(scoreName) at the best epoch", String(format: "%.4f", score)))
    }
    if let loss = best?.trainLoss {
      facts.append(("training loss at the best epoch", String(format: "%.4f", loss)))
    }
    let rows = curves.map { c in
      let cells = [
        "\(c.epoch)", String(format: "%.4f", c.trainLoss),
        c.trainAccuracy.map { String(format: "%.4f", $0) } ?? "",
        c.validationScore.map { String(format: "%.4f", $0) } ?? "",
        c.seconds.map { String(format: "%.1f", $0) } ?? "",
      ]
      let mark = c.epoch == bestEpoch ? " class=\"best\"" : ""
      return "<tr\(mark)>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
    }
    return """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8">
      <title>Training report: \(escape(name))</title>
      <style>
      body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1240px;
        padding: 0 1em; color: #222; }
      h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
      img { max-width: 100%; border: 1px solid #ddd; }
      pre { background: #f4f4f4; padding: .8em; overflow-x: auto; white-space: pre-wrap; }
      table { border-collapse: collapse; } td, th { padding: .2em .8em; text-align: right;
        border-bottom: 1px solid #eee; } th { text-align: left; }
      tr.best { background: #fff4d6; font-weight: 600; }
      .warn { color: #8a4b00; }
      </style></head><body>
      <h1>Training report: \(escape(name))</h1>
      <img alt="learning curves" src="data:image/png;base64,\(Data(curvesPNG).base64EncodedString())">
      <h2>Command</h2>
      <pre>\(escape(command))</pre>
      <h2>Data</h2>
      <ul>\(data.map { "<li>\(escape($0))</li>" }.joined())</ul>
      <h2>Model</h2>
      <table>\(facts.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined())</table>
      <h2>Epochs</h2>
      <table><tr><th>epoch</th><th>loss</th><th>train accuracy</th><th>validation \(escape(scoreName))</th><th>seconds</th></tr>
      \(rows.joined(separator: "\n"))
      </table>
      <h2>Warnings</h2>
      \(warnings.isEmpty ? "<p>None.</p>" : "<ul>" + warnings.map { "<li class=\"warn\">\(escape($0))</li>" }.joined() + "</ul>")
      </body></html>

      """
  }

  /// 1944049 → "1 944 049".
  static func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    return digits.enumerated().map { index, digit in
      (index > 0 && (digits.count - index) % 3 == 0 ? " " : "") + String(digit)
    }.joined()
  }

  private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}
