// The overfitting warning and the curves' CSV round trip.
import NeuronaVision
import Testing

private func curves(validation: [Double], accuracy: [Double?], loss: [Double]) -> [EpochFigures] {
  validation.indices.map {
    EpochFigures(
      epoch: $0 + 1, trainLoss: loss[$0], trainAccuracy: accuracy[$0],
      validationScore: validation[$0])
  }
}

@Test func warnsWhenValidationFallsWhileTrainingAccuracyRises() throws {
  let overfitting = curves(
    validation: [0.80, 0.85, 0.84, 0.83, 0.82], accuracy: [0.8, 0.86, 0.9, 0.93, 0.95],
    loss: [0.6, 0.4, 0.3, 0.2, 0.1])
  let warning = try #require(LearningCurves.overfittingWarning(overfitting))
  #expect(warning.contains("overfitting") && warning.contains("0.85 → 0.82"))
  // Two falls are not yet "several"; a recovery in between clears it.
  #expect(LearningCurves.overfittingWarning(Array(overfitting.prefix(4))) == nil)
  let recovering = curves(
    validation: [0.85, 0.84, 0.86, 0.83, 0.82], accuracy: [0.8, 0.86, 0.9, 0.93, 0.95],
    loss: [0.6, 0.4, 0.3, 0.2, 0.1])
  #expect(LearningCurves.overfittingWarning(recovering) == nil)
  // Falling validation while training also gets worse is not overfitting (e.g. divergence).
  let diverging = curves(
    validation: [0.85, 0.84, 0.83, 0.82], accuracy: [0.9, 0.89, 0.88, 0.87],
    loss: [0.3, 0.4, 0.5, 0.6])
  #expect(LearningCurves.overfittingWarning(diverging) == nil)
}

@Test func segmentersWithoutAccuracyAreJudgedByTheirLoss() {
  let falling = curves(
    validation: [0.9, 0.89, 0.88, 0.87], accuracy: [nil, nil, nil, nil], loss: [0.5, 0.4, 0.3, 0.2])
  #expect(LearningCurves.overfittingWarning(falling)?.contains("training loss fell") == true)
  let noValidation = [
    EpochFigures(epoch: 1, trainLoss: 1), EpochFigures(epoch: 2, trainLoss: 0.5),
    EpochFigures(epoch: 3, trainLoss: 0.4), EpochFigures(epoch: 4, trainLoss: 0.3),
  ]
  #expect(LearningCurves.overfittingWarning(noValidation) == nil)
}

@Test func curvesRoundTripThroughCSV() {
  let original = curves(validation: [0.5, 0.75], accuracy: [nil, 0.625], loss: [1.5, 0.25])
  let text = LearningCurves.csv(original)
  #expect(text.hasPrefix(LearningCurves.header + "\n1,1.5,,0.5,\n"))
  #expect(LearningCurves.parse(text) == original)
  var timed = original
  timed[1].seconds = 2.5
  #expect(LearningCurves.parse(LearningCurves.csv(timed)) == timed)
}

@Test func curvesWrittenBeforeTheSecondsColumnStillParse() {
  let old = "epoch,train_loss,train_accuracy,validation_score\n1,0.5,0.75,0.625\n"
  #expect(
    LearningCurves.parse(old) == [
      EpochFigures(epoch: 1, trainLoss: 0.5, trainAccuracy: 0.75, validationScore: 0.625)
    ])
}
