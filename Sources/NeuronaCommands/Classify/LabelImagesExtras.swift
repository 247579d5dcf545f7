// `classify --explain` (a heat map of the evidence for the predicted class, NAME.explain.png)
// and `classify --features` (each picture's learned feature vector, as CSV or JSON).
import Foundation
import Neurona
import NeuronaImage
import NeuronaVision

extension LabelImages {
  /// Writes `file`'s explanation picture (of the class `classify` prints for it); with
  /// `keepWhole` (`--skip-existing`), one already there and whole is kept and one that is not
  /// whole is replaced.
  func writeExplanation(
    _ file: String, classifier: Classifier, roots: [String], keepWhole: Bool = false
  ) throws {
    let destination = explanationPath(for: file, roots: roots)
    let image = try Image.read(contentsOf: file)
    let seen = ImageInput.visibleRegion(of: image, for: classifier.description)
    if keepWhole, isWholePNG(destination, width: seen.width, height: seen.height) { return }
    if !force, !keepWhole, FileManager.default.fileExists(atPath: destination) {
      throw VisionError("\(destination): already exists (use --force to replace it)")
    }
    let description = classifier.description
    let prepared = try ImageInput.prepare(image, for: description)
    var input = Tensor(shape: [1] + classifier.inputShape, scalars: try prepared.floatPlanes())
    classifier.normalize(&input)
    let explanation = try classifier.explain(input)
    let folder = (destination as NSString).deletingLastPathComponent
    if !folder.isEmpty {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    // A centre-cropping model saw only the middle: the heat map covers that part.
    let backdrop = try image.cropped(x: seen.x, y: seen.y, width: seen.width, height: seen.height)
    try explanation.overlay(on: backdrop).writePNG(to: destination, overwrite: force || keepWhole)
  }

  /// `photo.jpg` → `photo.explain.png`, beside it or in `--output` (keeping the folders below
  /// the folder among `roots` it was found in, so `a/0.png` and `b/0.png` stay apart).
  func explanationPath(for file: String, roots: [String]) -> String {
    // Standard input (`-`) is named `stdin` (Foundation's path functions trap on "-").
    if file == "-" {
      return ((output ?? "") as NSString).appendingPathComponent("stdin.explain.png")
    }
    let name =
      ((file as NSString).lastPathComponent as NSString).deletingPathExtension + ".explain.png"
    guard let output else {
      return ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }
    return (mirroredFolder(for: file, under: output, roots: roots) as NSString)
      .appendingPathComponent(name)
  }

  /// Prints one feature vector per picture: CSV `path,f0,f1,…` or JSON `[{path, features}]`.
  func printFeatures(_ rows: [(path: String, features: [Float])]) throws {
    if format == .json {
      try printJSON(rows.map { FeatureRecord(path: $0.path, features: $0.features) })
      return
    }
    let count = rows.first?.features.count ?? 0
    print((["path"] + (0..<count).map { "f\($0)" }).joined(separator: ","))
    for row in rows {
      print(
        ([csvField(row.path)] + row.features.map { String(format: "%.6g", $0) }).joined(
          separator: ","))
    }
  }
}

extension LabelImages {
  /// The inputs still to label, and the manifest records of those `--skip-existing` leaves
  /// alone: an input is done when the manifest being continued records its labels (status ok
  /// or skipped) and, under `--explain`, its picture is there and whole. Without
  /// `--skip-existing` every input is still to do.
  func remaining(_ files: [String], classifier: Classifier, roots: [String])
    -> (todo: [String], done: [ManifestRecord])
  {
    guard batch.skipExisting, let manifest = batch.manifest else { return (files, []) }
    var recorded: [String: ManifestRecord] = [:]
    for record in Manifest.records(at: manifest)
    where record.status != .error && record.labels != nil {
      recorded[record.path] = record
    }
    var todo: [String] = []
    var done: [ManifestRecord] = []
    for file in files {
      if var record = recorded[file], !explain || explanationIsWhole(file, classifier, roots) {
        if explain { record.outputs = [explanationPath(for: file, roots: roots)] }
        done.append(record)
      } else {
        todo.append(file)
      }
    }
    return (todo, done)
  }

  /// Whether `file`'s explanation picture is there, a whole PNG of the part the model saw.
  private func explanationIsWhole(_ file: String, _ classifier: Classifier, _ roots: [String])
    -> Bool
  {
    let destination = explanationPath(for: file, roots: roots)
    guard FileManager.default.fileExists(atPath: destination),
      let image = try? Image.read(contentsOf: file)
    else { return false }
    let seen = ImageInput.visibleRegion(of: image, for: classifier.description)
    return isWholePNG(destination, width: seen.width, height: seen.height)
  }
}

/// One picture's feature vector as JSON.
private struct FeatureRecord: Encodable {
  var path: String
  var features: [Float]
}
