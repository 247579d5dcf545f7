// `--plot FILE.png` of the evaluate commands: where the picture of the evaluation goes, written
// atomically, and never over an existing file unless --force says so.
import ArgumentParser
import Foundation
import NeuronaImage

struct PlotOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Also draw the evaluation as a PNG picture.", valueName: "file.png"))
  var plot: String?

  @Flag(help: "Replace the --plot file if it exists.")
  var force = false

  func validate() throws {
    guard let plot else { return }
    guard plot.lowercased().hasSuffix(".png") else {
      throw ValidationError("--plot writes a PNG: give it a name ending in .png")
    }
    if !force, FileManager.default.fileExists(atPath: plot) {
      throw ValidationError("\(plot) already exists (use --force to replace it)")
    }
  }

  /// Writes `picture` to the --plot file, if one was asked for, and says so.
  func write(_ picture: @autoclosure () throws -> Image) throws {
    guard let plot else { return }
    try picture().writePNG(to: plot, overwrite: force)
    Terminal.warn("plot written to \(plot)")
  }
}
