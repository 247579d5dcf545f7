// The curves picture and the report page every training command writes beside its model.
import Foundation
import Neurona
import NeuronaVision

extension TrainingArguments {
  /// Writes NAME.curves.png and NAME.report.html beside the model and says where they went.
  /// Lines the run wrote to standard error become the report's data (setup) or its warnings
  /// (those starting with "warning"), with `runWarnings` from the epoch log.
  func writeReport(
    progress: TrainingProgress, parameterCount: Int, scoreName: String, runWarnings: [String]
  ) {
    let lines = Terminal.lines
    let report = TrainingReport(
      modelPath: output, command: TrainingArguments.commandLine,
      data: lines.filter { !$0.hasPrefix("warning") },
      parameterCount: parameterCount, curves: progress.curves, bestEpoch: progress.bestEpoch,
      scoreName: scoreName, warnings: lines.filter { $0.hasPrefix("warning") } + runWarnings)
    do {
      let paths = try report.write()
      print("learning curves in \(paths.curves), report in \(paths.report)")
    } catch {
      // The model is written; a report that cannot be is worth a warning, not a failure.
      Terminal.warn("warning: no training report: \(error)")
    }
  }
}
