// Instance metrics: how well predicted objects match true ones, one to one, as the 2018
// Data Science Bowl scored nuclei. At each IoU threshold t ∈ {0.50, 0.55, …, 0.95} a
// predicted object matches a true one when their IoU exceeds t (above 0.5 a match can only
// be one to one); then precision(t) = TP / (TP + FP + FN), and the score (here `map`) is its
// mean over the thresholds. AP at 0.5 is precision(0.5); F1 at 0.5 is 2TP / (2TP + FP + FN).
// Counts are kept per threshold so images can be pooled as well as averaged.

/// Matches of one prediction against one truth (or pooled over several).
public struct InstanceScore: Equatable, Sendable {
  /// The IoU thresholds 0.50, 0.55, …, 0.95.
  public static let thresholds: [Double] = (0..<10).map { 0.5 + 0.05 * Double($0) }

  /// True objects, predicted objects.
  public var truthCount = 0, predictedCount = 0
  /// Matched pairs at each threshold of `thresholds`.
  public var truePositives = [Int](repeating: 0, count: 10)

  public init() {}

  /// Scores the label map `predicted` against `truth` (same size; 0 background, any other
  /// value one object).
  public init(predicted: [UInt16], truth: [UInt16]) {
    precondition(predicted.count == truth.count, "label maps differ in size")
    var predictedArea: [UInt16: Int] = [:]
    var truthArea: [UInt16: Int] = [:]
    var overlap: [UInt32: Int] = [:]
    for (p, t) in zip(predicted, truth) {
      if p != 0 { predictedArea[p, default: 0] += 1 }
      if t != 0 { truthArea[t, default: 0] += 1 }
      if p != 0 && t != 0 { overlap[UInt32(p) << 16 | UInt32(t), default: 0] += 1 }
    }
    truthCount = truthArea.count
    predictedCount = predictedArea.count
    // Every overlapping pair with its IoU, best first: greedy one-to-one matching.
    let pairs = overlap.map { key, intersection -> (p: UInt16, t: UInt16, iou: Double) in
      let (p, t) = (UInt16(key >> 16), UInt16(key & 0xFFFF))
      let union = predictedArea[p, default: 0] + truthArea[t, default: 0] - intersection
      return (p, t, Double(intersection) / Double(union))
    }.sorted { $0.iou > $1.iou }
    for (k, threshold) in Self.thresholds.enumerated() {
      var usedPredicted = Set<UInt16>()
      var usedTruth = Set<UInt16>()
      for pair in pairs where pair.iou > threshold {
        guard !usedPredicted.contains(pair.p), !usedTruth.contains(pair.t) else { continue }
        usedPredicted.insert(pair.p)
        usedTruth.insert(pair.t)
      }
      truePositives[k] = usedPredicted.count
    }
  }

  /// The counts of two scores added (pooling objects over images).
  public static func + (a: InstanceScore, b: InstanceScore) -> InstanceScore {
    var sum = a
    sum.truthCount += b.truthCount
    sum.predictedCount += b.predictedCount
    for k in sum.truePositives.indices { sum.truePositives[k] += b.truePositives[k] }
    return sum
  }

  /// TP / (TP + FP + FN) at threshold index `k`; 1 when there was nothing to find and
  /// nothing was found.
  public func precision(at k: Int) -> Double {
    let tp = truePositives[k]
    let denominator = truthCount + predictedCount - tp  // TP + FP + FN
    return denominator == 0 ? 1 : Double(tp) / Double(denominator)
  }

  /// The mean of `precision` over the ten thresholds (the DSB 2018 score).
  public var meanAveragePrecision: Double {
    Self.thresholds.indices.reduce(0) { $0 + precision(at: $1) } / Double(Self.thresholds.count)
  }

  /// `precision` at IoU 0.5.
  public var ap50: Double { precision(at: 0) }

  /// 2TP / (2TP + FP + FN) at IoU 0.5; 1 when both are empty.
  public var f150: Double {
    let tp = truePositives[0]
    let denominator = truthCount + predictedCount  // 2TP + FP + FN
    return denominator == 0 ? 1 : Double(2 * tp) / Double(denominator)
  }

  /// Matched / true objects at IoU 0.5 (nil without true objects).
  public var recall50: Double? {
    truthCount == 0 ? nil : Double(truePositives[0]) / Double(truthCount)
  }

  /// Matched / predicted objects at IoU 0.5 (nil without predictions).
  public var precision50: Double? {
    predictedCount == 0 ? nil : Double(truePositives[0]) / Double(predictedCount)
  }
}
