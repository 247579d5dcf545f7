import NeuronaVision
import Testing

@Test func confusionMatrixGivesAccuracyPrecisionAndRecall() {
  // truth → prediction: 0→0 ×3, 0→1 ×1, 1→1 ×2, 2→0 ×2, 2→2 ×2 (10 examples, 7 right).
  var matrix = ConfusionMatrix(classCount: 3)
  for (truth, prediction, times) in [(0, 0, 3), (0, 1, 1), (1, 1, 2), (2, 0, 2), (2, 2, 2)] {
    for _ in 0..<times { matrix.add(truth: truth, prediction: prediction) }
  }
  #expect(matrix.counts == [[3, 1, 0], [0, 2, 0], [2, 0, 2]])
  #expect(matrix.total == 10)
  #expect(matrix.accuracy == 0.7)
  #expect(matrix.precision(0) == 0.6)  // 3 of the 5 predicted 0
  #expect(matrix.recall(0) == 0.75)  // 3 of the 4 true 0
  #expect(matrix.precision(2) == 1)
  #expect(matrix.recall(2) == 0.5)
  #expect(matrix.support == [4, 2, 4])
  #expect(ConfusionMatrix(classCount: 2).precision(1) == nil)
}

@Test func maskOverlapGivesIoUDiceAndPixelAccuracyByHand() {
  // predicted 1 1 0 0 1 0, truth 1 0 1 0 1 0: TP 2, FP 1, FN 1, TN 2.
  let overlap = MaskOverlap(
    predicted: [true, true, false, false, true, false],
    truth: [true, false, true, false, true, false])
  #expect(overlap.iou == 0.5)  // 2 / (2 + 1 + 1)
  #expect(abs(overlap.dice - 2.0 / 3.0) < 1e-12)  // 4 / (4 + 1 + 1)
  #expect(abs(overlap.pixelAccuracy - 4.0 / 6.0) < 1e-12)
  let empty = MaskOverlap(predicted: [false, false], truth: [false, false])
  #expect(empty.iou == 1 && empty.dice == 1)
  let missed = MaskOverlap(predicted: [false, false], truth: [true, false])
  #expect(missed.iou == 0 && missed.dice == 0)
  #expect((overlap + missed).falseNegatives == 2)
}
