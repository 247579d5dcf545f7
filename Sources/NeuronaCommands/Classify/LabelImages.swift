// `classify PATH…`: label every image under the given files and folders (with --explain, also
// write heat maps; with --features, print feature vectors instead: LabelImagesExtras.swift).
import ArgumentParser
import Foundation
import Neurona
import NeuronaImage
import NeuronaVision

struct LabelImages: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "label", abstract: "Label every image under the given files and folders.")

  @Argument(help: "Image files or folders (walked recursively).")
  var paths: [String] = []

  @Option(help: "A model file, or the name of a model in Models/.")
  var model = "imagenet"

  @Option(name: .customLong("top-k"), help: "How many of the most probable classes to report.")
  var topK = 1

  @Option(help: "table, csv or json.")
  var format: OutputFormat = .table

  @Flag(
    help:
      "Also write NAME.explain.png: the picture with a heat map of the evidence for the predicted class (Grad-CAM; input-gradient saliency for models without convolutions)."
  )
  var explain = false

  @Flag(
    help:
      "Print each picture's learned feature vector (the input of the last Dense layer) instead of labels, as CSV (default) or JSON."
  )
  var features = false

  @Option(
    name: .shortAndLong, help: "Folder for the --explain pictures (default: beside each picture).")
  var output: String?

  @Flag(help: "Replace existing --explain pictures.")
  var force = false

  @OptionGroup var batch: BatchOptions

  @OptionGroup var compute: ComputeOptions

  func validate() throws {
    guard topK >= 1 else { throw ValidationError("--top-k must be at least 1") }
    guard format != .text else { throw ValidationError("--format must be table, csv or json") }
  }

  func run() throws {
    compute.apply()
    let shard = try batch.parsedShard()
    if batch.skipExisting, batch.manifest == nil, !explain {
      throw VisionError(
        "--skip-existing needs --manifest (the record of what is labelled) or --explain")
    }
    let named = try batch.inputs(paths)
    guard !named.isEmpty else {
      throw VisionError("no inputs: name image files or folders, or give --files-from")
    }
    let roots = folders(among: named)
    let classifier = try Classifier.load(try ModelLocator.resolve(model))
    let collected = ImageFiles.collect(named)
    // Each shard reports only its own inputs' problems, so the shards' logs add up to one run's.
    let mine = { batch.selects($0, shard: shard, folders: roots) }
    for file in collected.skipped where mine(file) {
      Terminal.warn("\(file): skipped (not a PNG or JPEG file name)")
    }
    // A missing input is reported and fails the run, and the others are still labelled.
    let missing = collected.missing.filter(mine)
    for path in missing { Terminal.warn("\(path): no such file or directory") }
    guard !collected.images.isEmpty else {
      throw VisionError("no images found under \(named.joined(separator: " "))")
    }
    let manifest = try batch.openManifest(force: force)
    for path in missing {
      try manifest?.append(
        ManifestRecord(
          path: path, status: .error, outputs: [], seconds: 0,
          message: "\(path): no such file or directory"))
    }
    let (files, done) = remaining(
      collected.images.filter(mine), classifier: classifier, roots: roots)
    // A killed run may have left the temporary file of an explanation it was writing.
    if batch.skipExisting, explain {
      AtomicFile.removeLeftovers(of: files.map { explanationPath(for: $0, roots: roots) })
    }
    if !done.isEmpty, Terminal.stderrIsTerminal {
      Terminal.warn("\(done.count) images already done (--skip-existing)")
    }
    let k = min(topK, classifier.description.classNames.count)
    var results: [(path: String, predictions: [Prediction])] = []
    var featureRows: [(path: String, features: [Float])] = []
    var failures = missing.count
    var progress = ProgressBar(title: "classify")
    let started = Clock.now
    let batchSize = 64
    for start in stride(from: 0, to: files.count, by: batchSize) {
      // Decoding dominates for a small network: the batch's pictures are decoded on all cores.
      let chunk = Array(files[start..<min(start + batchSize, files.count)])
      var decoded = [Result<[Float], Error>?](repeating: nil, count: chunk.count)
      var decodeSeconds = [Double](repeating: 0, count: chunk.count)
      decoded.withUnsafeMutableBufferPointer { slots in
        decodeSeconds.withUnsafeMutableBufferPointer { seconds in
          ComputeThreads.parallel(chunk.count) { i in
            let started = Clock.now
            slots[i] = Result { try ImageInput.planes(chunk[i], for: classifier.description) }
            seconds[i] = Clock.secondsSince(started)
          }
        }
      }
      var planes: [Float] = []
      var batchFiles: [String] = []
      var batchSeconds: [Double] = []
      for (index, (file, result)) in zip(chunk, decoded).enumerated() {
        switch result {
        case .success(let picture)?:
          planes += picture
          batchFiles.append(file)
          batchSeconds.append(decodeSeconds[index])
        case .failure(let error)?:
          Terminal.warn("\(error)")
          failures += 1
          try manifest?.append(
            ManifestRecord(
              path: file, status: .error, outputs: [], seconds: decodeSeconds[index],
              message: "\(error)"))
        case nil: break
        }
      }
      progress.update(min(start + batchSize, files.count), of: files.count)
      guard !batchFiles.isEmpty else { continue }
      let networkStarted = Clock.now
      if features {
        var input = Tensor(shape: [batchFiles.count] + classifier.inputShape, scalars: planes)
        classifier.normalize(&input)
        let vectors = try classifier.features(input)
        let width = vectors.count / batchFiles.count
        featureRows += batchFiles.enumerated().map {
          ($1, Array(vectors.scalars[($0 * width)..<(($0 + 1) * width)]))
        }
        continue
      }
      let predicted = zip(
        batchFiles, classifier.predict(planes: planes, count: batchFiles.count, topK: k)
      ).map { ($0, $1) }
      // Each picture's seconds: its decode and its share of the batch's network time.
      let share = Clock.secondsSince(networkStarted) / Double(batchFiles.count)
      for (index, (path, predictions)) in predicted.enumerated() {
        let started = Clock.now
        var entry = ManifestRecord(
          path: path, status: .ok, outputs: [], seconds: 0,
          labels: predictions.map { .init(label: $0.label, confidence: $0.confidence) })
        if explain {
          do {
            try writeExplanation(
              path, classifier: classifier, roots: roots, keepWhole: batch.skipExisting)
            entry.outputs = [explanationPath(for: path, roots: roots)]
          } catch {
            Terminal.warn("\(error)")
            failures += 1
            (entry.status, entry.message) = (.error, "\(error)")
          }
        }
        entry.seconds = batchSeconds[index] + share + Clock.secondsSince(started)
        try manifest?.append(entry)
      }
      results += predicted
    }
    for var record in done {
      record.status = .skipped
      record.seconds = 0
      try manifest?.append(record)
    }
    progress.finish()
    Terminal.reportThroughput(files.count, "images", since: started)
    // (Inputs skipped as done are not printed again: their labels are in the manifest.)
    if features { try printFeatures(featureRows) } else { try printResults(results, topK: k) }
    if failures > 0 { throw ExitCode(1) }
  }

  private func printResults(_ results: [(path: String, predictions: [Prediction])], topK: Int)
    throws
  {
    switch format {
    case .csv:
      print("path,label,confidence" + (topK > 1 ? ",top_k" : ""))
      for (path, predictions) in results {
        var row = [
          csvField(path), csvField(predictions[0].label),
          String(format: "%.4f", predictions[0].confidence),
        ]
        if topK > 1 {
          row.append(
            csvField(
              predictions.map { "\($0.label):\(String(format: "%.4f", $0.confidence))" }.joined(
                separator: ";")))
        }
        print(row.joined(separator: ","))
      }
    case .json:
      try printJSON(
        results.map {
          LabelRecord(path: $0.path, predictions: $0.predictions, includeTopK: topK > 1)
        })
    case .table, .text:
      let header = ["path", "label", "confidence"] + (topK > 1 ? ["top \(topK)"] : [])
      let rows = results.map { path, predictions in
        [path, predictions[0].label, String(format: "%.4f", predictions[0].confidence)]
          + (topK > 1
            ? [
              predictions.dropFirst().map { "\($0.label) \(String(format: "%.3f", $0.confidence))" }
                .joined(separator: ", ")
            ] : [])
      }
      print(formatTable(header: header, rows: rows))
    }
  }
}

/// One labelled image as JSON: `path`, `label`, `confidence` and, on request, `top_k`.
private struct LabelRecord: Encodable {
  struct Entry: Encodable {
    var label: String
    var confidence: Float
  }
  var path: String
  var label: String
  var confidence: Float
  var topK: [Entry]?

  init(path: String, predictions: [Prediction], includeTopK: Bool) {
    self.path = path
    label = predictions[0].label
    confidence = predictions[0].confidence
    topK = includeTopK ? predictions.map { Entry(label: $0.label, confidence: $0.confidence) } : nil
  }

  enum CodingKeys: String, CodingKey {
    case path, label, confidence
    case topK = "top_k"
  }
}
