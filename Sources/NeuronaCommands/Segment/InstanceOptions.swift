// The options of instance segmentation shared by `segment --instances` and
// `segment evaluate --instances`, and the printing of per-object records.
import ArgumentParser
import Foundation
import NeuronaVision

/// How probability maps become objects.
struct InstanceOptions: ParsableArguments {
  @Option(
    name: .customLong("min-area"),
    help: "Objects smaller than this many pixels are dropped (--instances).")
  var minimumArea = 10

  @Option(
    name: .customLong("seed-threshold"),
    help: "Interior probability that seeds an object (boundary3 models, --instances).")
  var seedThreshold: Float = 0.5

  func validate() throws {
    guard minimumArea >= 1 else { throw ValidationError("--min-area must be at least 1") }
    guard seedThreshold > 0, seedThreshold < 1 else {
      throw ValidationError("--seed-threshold must be in (0, 1)")
    }
  }

  /// The extraction for a foreground `threshold`.
  func extraction(threshold: Float) -> InstanceExtraction {
    var extraction = InstanceExtraction()
    extraction.threshold = threshold
    extraction.seedThreshold = seedThreshold
    extraction.minimumArea = minimumArea
    return extraction
  }
}

/// The objects found in one picture, as printed.
struct InstanceRecord: Encodable {
  var path: String
  var instancesPath: String?
  var objects: [DetectedObject]

  enum CodingKeys: String, CodingKey {
    case path, objects
    case instancesPath = "instances_path"
  }
}

/// Prints one line per object (table or CSV) or everything as JSON.
func printInstanceRecords(_ records: [InstanceRecord], format: OutputFormat) throws {
  if format == .json {
    try printJSON(records)
    return
  }
  let header = ["path", "id", "x", "y", "width", "height", "area", "mean_probability"]
  let rows = records.flatMap { record in
    record.objects.map { o in
      [
        record.path, String(o.id), String(o.x), String(o.y), String(o.width), String(o.height),
        String(o.area),
        String(format: "%.4f", o.meanProbability),
      ]
    }
  }
  if format == .csv {
    print(header.joined(separator: ","))
    for row in rows { print(([csvField(row[0])] + row.dropFirst()).joined(separator: ",")) }
  } else {
    print(formatTable(header: header, rows: rows))
    for record in records { print("\(record.path): \(record.objects.count) objects") }
  }
}
