// `segment evaluate --instances`: the 2018 Data Science Bowl score (mean over IoU thresholds
// 0.50…0.95 of TP / (TP + FP + FN), one-to-one matching), AP and F1 at IoU 0.5, against
// 16-bit instance label maps in the --masks folder.
import Foundation
import NeuronaVision

extension EvaluateSegmenter {
  /// Scores every picture's instances and prints the means over pictures (and the pooled
  /// counts, which weigh pictures by their objects).
  func runInstances(_ segmenter: Segmenter) throws {
    var records: [InstanceEvaluationRecord] = []
    var pooled = InstanceScore()
    let extraction = instanceOptions.extraction(threshold: threshold)
    for pair in try MaskPairs.find(images: images, masks: masks) {
      let data = try MaskPairs.loadLabels(image: pair.image, labels: pair.mask)
      let found = try extraction.instances(from: try segmenter.classProbabilities(data.image))
      let score = InstanceScore(predicted: found.labels, truth: data.labels)
      pooled = pooled + score
      records.append(InstanceEvaluationRecord(path: pair.image, score: score))
    }
    let count = Double(records.count)
    let report = InstanceEvaluationReport(
      map: records.reduce(0) { $0 + $1.map } / count,
      ap50: records.reduce(0) { $0 + $1.ap50 } / count,
      f150: records.reduce(0) { $0 + $1.f150 } / count, images: records.count,
      trueObjects: pooled.truthCount, predictedObjects: pooled.predictedCount,
      pooled: InstanceEvaluationRecord(path: nil, score: pooled), perImage: perImage ? records : nil
    )
    if format == .json {
      try printJSON(report)
      return
    }
    if perImage {
      print(
        formatTable(
          header: ["image", "mAP", "AP@0.5", "F1@0.5", "true", "predicted"],
          rows: records.map {
            [
              $0.path ?? "", String(format: "%.4f", $0.map), String(format: "%.4f", $0.ap50),
              String(format: "%.4f", $0.f150), String($0.trueObjects), String($0.predictedObjects),
            ]
          }))
      print("")
    }
    print(
      String(
        format: "mAP %.4f, AP@0.5 %.4f, F1@0.5 %.4f over %d images (%d true objects, %d predicted; "
          + "pooled mAP %.4f, AP@0.5 %.4f, F1@0.5 %.4f)",
        report.map, report.ap50, report.f150, report.images, report.trueObjects,
        report.predictedObjects,
        pooled.meanAveragePrecision, pooled.ap50, pooled.f150))
  }
}

/// One picture's (or the pooled) instance figures.
struct InstanceEvaluationRecord: Encodable {
  var path: String?
  var map: Double, ap50: Double, f150: Double
  var trueObjects: Int, predictedObjects: Int
  /// TP / (TP + FP + FN) at each IoU threshold 0.50, 0.55, …, 0.95.
  var precisionByThreshold: [Double]

  init(path: String?, score: InstanceScore) {
    self.path = path
    map = score.meanAveragePrecision
    ap50 = score.ap50
    f150 = score.f150
    trueObjects = score.truthCount
    predictedObjects = score.predictedCount
    precisionByThreshold = InstanceScore.thresholds.indices.map { score.precision(at: $0) }
  }

  enum CodingKeys: String, CodingKey {
    case path, map, ap50, f150
    case trueObjects = "true_objects"
    case predictedObjects = "predicted_objects"
    case precisionByThreshold = "precision_by_threshold"
  }
}

/// Means over pictures (`map`, `ap50`, `f150`), and the scores of all objects pooled.
struct InstanceEvaluationReport: Encodable {
  var map: Double, ap50: Double, f150: Double
  var images: Int
  var trueObjects: Int, predictedObjects: Int
  var pooled: InstanceEvaluationRecord
  var perImage: [InstanceEvaluationRecord]?

  enum CodingKeys: String, CodingKey {
    case map, ap50, f150, images, pooled
    case trueObjects = "true_objects"
    case predictedObjects = "predicted_objects"
    case perImage = "per_image"
  }
}
