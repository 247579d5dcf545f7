// `classify --explain` (a heat map of the evidence for the predicted class, NAME.explain.png)
// and `classify --features` (each picture's learned feature vector, as CSV or JSON).
import Foundation
import Neurona
import NeuronaImage
import NeuronaVision

extension LabelImages {
  /// Writes `file`'s explanation picture (of the class `classify` prints for it).
  func writeExplanation(_ file: String, classifier: Classifier) throws {
    let destination = explanationPath(for: file)
    if !force, FileManager.default.fileExists(atPath: destination) {
      throw VisionError("\(destination): already exists (use --force to replace it)")
    }
    let image = try Image.read(contentsOf: file)
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
    let seen = ImageInput.visibleRegion(of: image, for: description)
    let backdrop = try image.cropped(x: seen.x, y: seen.y, width: seen.width, height: seen.height)
    try explanation.overlay(on: backdrop).writePNG(to: destination, overwrite: force)
  }

  /// `photo.jpg` → `photo.explain.png`, beside it or in `--output` (keeping the folders below
  /// the command-line folder it was found in, so `a/0.png` and `b/0.png` stay apart).
  func explanationPath(for file: String) -> String {
    // Standard input (`-`) is named `stdin` (Foundation's path functions trap on "-").
    if file == "-" {
      return ((output ?? "") as NSString).appendingPathComponent("stdin.explain.png")
    }
    let name =
      ((file as NSString).lastPathComponent as NSString).deletingPathExtension + ".explain.png"
    guard let output else {
      return ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }
    return (mirroredFolder(for: file, under: output, roots: paths) as NSString)
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

/// One picture's feature vector as JSON.
private struct FeatureRecord: Encodable {
  var path: String
  var features: [Float]
}
