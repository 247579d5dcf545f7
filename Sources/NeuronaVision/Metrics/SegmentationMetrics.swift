// Mask metrics for the foreground class: intersection over union (Jaccard), Dice (F1) and
// pixel accuracy, from pixel counts so they can be summed over tiles or images.

/// Pixel counts of a predicted mask against a true one.
public struct MaskOverlap: Equatable, Sendable {
  public var truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0

  public init() {}

  /// Counts `predicted` against `truth`, both foreground where true.
  public init(predicted: [Bool], truth: [Bool]) {
    precondition(predicted.count == truth.count, "masks differ in size")
    for (p, t) in zip(predicted, truth) {
      switch (p, t) {
      case (true, true): truePositives += 1
      case (true, false): falsePositives += 1
      case (false, true): falseNegatives += 1
      case (false, false): trueNegatives += 1
      }
    }
  }

  /// The sum of two counts (pooling over images).
  public static func + (a: MaskOverlap, b: MaskOverlap) -> MaskOverlap {
    var sum = a
    sum.truePositives += b.truePositives
    sum.falsePositives += b.falsePositives
    sum.falseNegatives += b.falseNegatives
    sum.trueNegatives += b.trueNegatives
    return sum
  }

  /// |P ∩ T| / |P ∪ T|; 1 when both masks are empty (nothing to find, nothing found).
  public var iou: Double {
    let union = truePositives + falsePositives + falseNegatives
    return union == 0 ? 1 : Double(truePositives) / Double(union)
  }

  /// 2|P ∩ T| / (|P| + |T|); 1 when both masks are empty.
  public var dice: Double {
    let total = 2 * truePositives + falsePositives + falseNegatives
    return total == 0 ? 1 : Double(2 * truePositives) / Double(total)
  }

  /// The fraction of pixels labelled right.
  public var pixelAccuracy: Double {
    let all = truePositives + falsePositives + falseNegatives + trueNegatives
    return all == 0 ? 1 : Double(truePositives + trueNegatives) / Double(all)
  }
}
