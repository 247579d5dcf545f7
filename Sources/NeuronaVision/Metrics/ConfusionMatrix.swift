// Classification metrics: the confusion matrix and what it implies (accuracy, per-class
// precision and recall). K = classes.

/// Counts of (true class, predicted class) pairs.
public struct ConfusionMatrix: Equatable, Sendable {
  /// `counts[truth][prediction]`, K × K.
  public private(set) var counts: [[Int]]

  /// An empty matrix for `classCount` classes.
  public init(classCount: Int) {
    counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
  }

  /// The number of classes.
  public var classCount: Int { counts.count }

  /// Records one example.
  public mutating func add(truth: Int, prediction: Int) {
    counts[truth][prediction] += 1
  }

  /// The number of examples recorded.
  public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

  /// The fraction of examples on the diagonal (0 when empty).
  public var accuracy: Double {
    let right = (0..<classCount).reduce(0) { $0 + counts[$1][$1] }
    return total == 0 ? 0 : Double(right) / Double(total)
  }

  /// Of the examples predicted as `k`, the fraction that were `k` (nil if none predicted).
  public func precision(_ k: Int) -> Double? {
    let predicted = counts.reduce(0) { $0 + $1[k] }
    return predicted == 0 ? nil : Double(counts[k][k]) / Double(predicted)
  }

  /// Of the examples of class `k`, the fraction predicted as `k` (nil if there were none).
  public func recall(_ k: Int) -> Double? {
    let actual = counts[k].reduce(0, +)
    return actual == 0 ? nil : Double(counts[k][k]) / Double(actual)
  }

  /// How many examples of each true class were recorded.
  public var support: [Int] { counts.map { $0.reduce(0, +) } }
}
