// `classify evaluate DATA`: accuracy, per-class precision/recall and the confusion matrix
// (with --plot, also as a picture).
import ArgumentParser
import Foundation
import Neurona
import NeuronaVision

struct EvaluateClassifier: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate", abstract: "Measure a classifier on labelled data.")

  @Argument(help: "An ImageFolder directory, or the Fashion-MNIST folder (its IDX files).")
  var data: String

  @Option(help: "A model file, or the name of a model in Models/.")
  var model = "imagenet"

  @Option(help: "Which Fashion-MNIST split to evaluate on.")
  var split: FashionMNIST.Split = .test

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  @OptionGroup var plot: PlotOptions

  @OptionGroup var compute: ComputeOptions

  func validate() throws {
    guard format == .text || format == .json else {
      throw ValidationError("--format must be text or json")
    }
  }

  func run() throws {
    compute.apply()
    let classifier = try Classifier.load(try ModelLocator.resolve(model))
    let (data, _) = try ClassificationData.load(
      data, split: split, description: classifier.description)
    for warning in data.warnings { Terminal.warn(warning) }
    var matrix = ConfusionMatrix(classCount: data.classNames.count)
    let count = data.examples.count
    for start in stride(from: 0, to: count, by: 500) {
      let (input, labels) = data.examples.batch(Array(start..<min(start + 500, count)))
      let predictions = classifier.network.forward(input, mode: .inference).argmaxRows()
      for (truth, prediction) in zip(labels.scalars, predictions) {
        matrix.add(truth: Int(truth), prediction: prediction)
      }
    }
    let report = EvaluationReport(matrix: matrix, classNames: data.classNames)
    if format == .json { try printJSON(report) } else { print(report.text) }
    try plot.write(ConfusionMatrixChart.image(matrix, classNames: data.classNames))
  }
}

/// The evaluation as JSON: `accuracy`, `classes`, `confusion_matrix` (rows: truth), per class.
struct EvaluationReport: Encodable {
  struct ClassReport: Encodable {
    var name: String
    var precision: Double?
    var recall: Double?
    var support: Int
  }
  var accuracy: Double
  var count: Int
  var classes: [String]
  var confusionMatrix: [[Int]]
  var perClass: [ClassReport]

  init(matrix: ConfusionMatrix, classNames: [String]) {
    accuracy = matrix.accuracy
    count = matrix.total
    classes = classNames
    confusionMatrix = matrix.counts
    perClass = classNames.indices.map {
      ClassReport(
        name: classNames[$0], precision: matrix.precision($0), recall: matrix.recall($0),
        support: matrix.support[$0])
    }
  }

  enum CodingKeys: String, CodingKey {
    case accuracy, count, classes
    case confusionMatrix = "confusion_matrix"
    case perClass = "per_class"
  }

  var text: String {
    func percent(_ value: Double?) -> String {
      value.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
    }
    var lines = [String(format: "accuracy: %.4f (%d images)", accuracy, count), ""]
    lines.append(
      formatTable(
        header: ["class", "precision", "recall", "support"],
        rows: perClass.map {
          [$0.name, percent($0.precision), percent($0.recall), String($0.support)]
        }))
    lines += ["", "confusion matrix (rows: true class, columns: predicted):"]
    let short = classes.indices.map(String.init)
    lines.append(
      formatTable(
        header: [""] + short,
        rows: confusionMatrix.enumerated().map {
          ["\($0.offset) \(classes[$0.offset])"] + $0.element.map(String.init)
        }))
    return lines.joined(separator: "\n")
  }
}
