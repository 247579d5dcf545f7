// The per-epoch learning curves of a run — training loss and accuracy, validation score —
// and the check the course's "generalises" asks for: when the validation score keeps
// falling while the training figures keep improving, the model is learning the training
// data's noise (overfitting), and the run says so. Stored in checkpoints and model files
// (`training_curves`, CSV) so a model card can show both curves.

/// One epoch's figures.
public struct EpochFigures: Equatable, Sendable {
  public var epoch: Int
  public var trainLoss: Double
  /// Training accuracy (classifiers), nil otherwise.
  public var trainAccuracy: Double?
  /// The validation score (accuracy or IoU; higher is better), nil without validation data.
  public var validationScore: Double?
  /// Wall time of the epoch's training, nil in curves written before it was recorded.
  public var seconds: Double?

  public init(
    epoch: Int, trainLoss: Double, trainAccuracy: Double? = nil, validationScore: Double? = nil,
    seconds: Double? = nil
  ) {
    self.epoch = epoch
    self.trainLoss = trainLoss
    self.trainAccuracy = trainAccuracy
    self.validationScore = validationScore
    self.seconds = seconds
  }
}

/// Curves as text, and the overfitting check.
public enum LearningCurves {
  /// The CSV header of `csv`.
  public static let header = "epoch,train_loss,train_accuracy,validation_score,seconds"

  /// One line per epoch under `header` (empty fields for missing figures).
  public static func csv(_ curves: [EpochFigures]) -> String {
    let field = { (value: Double?) in value.map { "\($0)" } ?? "" }
    return
      ([header]
      + curves.map {
        "\($0.epoch),\($0.trainLoss),\(field($0.trainAccuracy)),\(field($0.validationScore)),"
          + field($0.seconds)
      }).joined(separator: "\n")
  }

  /// Reads `csv` back (lines that do not parse are skipped; files written before the
  /// `seconds` column have four fields).
  public static func parse(_ csv: String) -> [EpochFigures] {
    csv.split(separator: "\n").dropFirst().compactMap { line in
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 4 || fields.count == 5, let epoch = Int(fields[0]),
        let loss = Double(fields[1])
      else { return nil }
      return EpochFigures(
        epoch: epoch, trainLoss: loss, trainAccuracy: Double(fields[2]),
        validationScore: Double(fields[3]), seconds: fields.count == 5 ? Double(fields[4]) : nil)
    }
  }

  /// A warning when, over the last `patience` epochs, the validation score fell at every
  /// epoch while the training figure improved at every epoch (accuracy rose, or — without
  /// accuracy — the loss fell); nil otherwise.
  public static func overfittingWarning(_ curves: [EpochFigures], patience: Int = 3) -> String? {
    guard patience >= 1, curves.count > patience else { return nil }
    let recent = Array(curves.suffix(patience + 1))
    for (before, after) in zip(recent, recent.dropFirst()) {
      guard let v0 = before.validationScore, let v1 = after.validationScore, v1 < v0 else {
        return nil
      }
      if let a0 = before.trainAccuracy, let a1 = after.trainAccuracy {
        guard a1 > a0 else { return nil }
      } else {
        guard after.trainLoss < before.trainLoss else { return nil }
      }
    }
    let (first, last) = (recent[0], recent[recent.count - 1])
    let training =
      first.trainAccuracy != nil
      ? "training accuracy rose (\(percent(first.trainAccuracy)) → \(percent(last.trainAccuracy)))"
      : "training loss fell (\(decimal(first.trainLoss)) → \(decimal(last.trainLoss)))"
    return "warning: overfitting? validation fell for \(patience) epochs "
      + "(\(decimal(first.validationScore)) → \(decimal(last.validationScore))) while \(training); "
      + "the best model so far is kept — consider fewer epochs, more data, augmentation, dropout or --l2"
  }

  private static func percent(_ value: Double?) -> String {
    value.map { String(Double(Int(($0 * 1000).rounded())) / 10) + " %" } ?? "–"
  }

  private static func decimal(_ value: Double?) -> String {
    value.map { String(Double(Int(($0 * 10000).rounded())) / 10000) } ?? "–"
  }
}
