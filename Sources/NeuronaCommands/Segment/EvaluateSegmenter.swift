// `segment evaluate`: IoU, Dice and pixel accuracy of a segmenter on image/mask folders
// (with --instances, the object figures of EvaluateInstances.swift; with --plot, the worst
// pictures and the IoU histogram as a picture).
import ArgumentParser
import Foundation
import NeuronaVision

struct EvaluateSegmenter: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate", abstract: "Measure a segmenter on images/ and masks/ folders.")

  @Option(help: "Folder of pictures.")
  var images: String

  @Option(help: "Folder of true masks (with --instances: 16-bit instance label maps).")
  var masks: String

  @Flag(help: "Score objects, not pixels: DSB 2018 mAP over IoU 0.5…0.95, AP and F1 at IoU 0.5.")
  var instances = false

  @OptionGroup var instanceOptions: InstanceOptions

  @OptionGroup var plot: PlotOptions

  @OptionGroup var compute: ComputeOptions

  @Option(help: "A model file, or the name of a model in Models/.")
  var model: String?

  @Option(help: "Probability above which a pixel is foreground.")
  var threshold: Float = 0.5

  @Flag(name: .customLong("per-image"), help: "Also report each picture's figures.")
  var perImage = false

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  func validate() throws {
    guard format == .text || format == .json else {
      throw ValidationError("--format must be text or json")
    }
    guard !instances || plot.plot == nil else {
      throw ValidationError("--plot draws the pixel evaluation: leave out --instances")
    }
  }

  func run() throws {
    compute.apply()
    let segmenter = try Segmenter.load(try ModelLocator.resolve(model ?? defaultSegmenterName()))
    if instances {
      try runInstances(segmenter)
      return
    }
    let records = try SegmentationEvaluation.records(
      of: segmenter, on: try MaskPairs.find(images: images, masks: masks), threshold: threshold)
    let report = SegmentationReport(records: records, keepPerImage: perImage)
    try plot.write(
      SegmentationSheet.image(segmenter: segmenter, records: records, threshold: threshold))
    if format == .json {
      try printJSON(report)
      return
    }
    if perImage {
      print(
        formatTable(
          header: ["image", "IoU", "Dice", "pixel accuracy"],
          rows: records.map {
            [
              $0.path, String(format: "%.4f", $0.iou), String(format: "%.4f", $0.dice),
              String(format: "%.4f", $0.pixelAccuracy),
            ]
          }))
      print("")
    }
    print(
      String(
        format:
          "mean IoU %.4f, Dice %.4f, pixel accuracy %.4f over %d images (pooled IoU %.4f, Dice %.4f)",
        report.iou, report.dice, report.pixelAccuracy, report.images, report.pooledIoU,
        report.pooledDice))
  }
}
