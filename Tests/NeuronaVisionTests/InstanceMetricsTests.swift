// The DSB 2018 instance metric against cases worked out by hand: a perfect match, a split
// object, a merged pair, an empty prediction, and pooling over images.
import NeuronaVision
import Testing

/// Exact enough for ratios of small integers.
private let tolerance = 1e-12

/// A one-row label map from a string: "." background, digits object ids.
private func row(_ text: String) -> [UInt16] {
  text.map { $0 == "." ? 0 : UInt16(String($0)) ?? 0 }
}

@Test func perfectMatchScoresOne() {
  let truth = row("111..22.")
  let score = InstanceScore(predicted: row("222..11."), truth: truth)  // ids need not agree
  #expect(score.meanAveragePrecision == 1 && score.ap50 == 1 && score.f150 == 1)
}

@Test func splitObjectCountsOneMatchAndOneFalsePositive() {
  // Truth: one object of 10 px. Prediction: 7 px + 3 px. IoU(7-px part) = 7/10 = 0.7 > t for
  // t = 0.50, 0.55, 0.60, 0.65: TP 1, FP 1, FN 0 → 1/2. From t = 0.70 (0.7 is not > 0.7):
  // TP 0, FP 2, FN 1 → 0. mAP = 4 · 0.5 / 10 = 0.2; F1@0.5 = 2·1 / (2·1 + 1 + 0) = 2/3.
  let score = InstanceScore(predicted: row("1111111222"), truth: row("1111111111"))
  #expect(score.truthCount == 1 && score.predictedCount == 2)
  #expect(score.truePositives == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
  #expect(abs(score.ap50 - 0.5) < tolerance)
  #expect(abs(score.meanAveragePrecision - 0.2) < tolerance)
  #expect(abs(score.f150 - 2.0 / 3) < tolerance)
}

@Test func mergedPairCountsOneMatchAndOneMiss() {
  // Truth: 6 px and 4 px side by side. Prediction: one object over both (10 px).
  // IoU with the 6-px object = 6/10 = 0.6 > 0.50, 0.55 only: TP 1, FP 0, FN 1 → 1/2;
  // after that TP 0, FP 1, FN 2 → 0. mAP = 2 · 0.5 / 10 = 0.1; F1@0.5 = 2 / (2 + 0 + 1).
  let score = InstanceScore(predicted: row("1111111111"), truth: row("1111112222"))
  #expect(score.truePositives == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
  #expect(abs(score.ap50 - 0.5) < tolerance)
  #expect(abs(score.meanAveragePrecision - 0.1) < tolerance)
  #expect(abs(score.f150 - 2.0 / 3) < tolerance)
}

@Test func emptyPredictionScoresZeroAndEmptyAgainstEmptyScoresOne() {
  let missed = InstanceScore(predicted: row("........"), truth: row("11.22.33"))
  #expect(missed.truthCount == 3 && missed.predictedCount == 0)
  #expect(missed.meanAveragePrecision == 0 && missed.ap50 == 0 && missed.f150 == 0)
  let nothing = InstanceScore(predicted: row("...."), truth: row("...."))
  #expect(nothing.meanAveragePrecision == 1 && nothing.f150 == 1)
  let invented = InstanceScore(predicted: row("..1."), truth: row("...."))
  #expect(invented.meanAveragePrecision == 0)
}

@Test func falsePositivesAndPartialOverlapsCount() {
  // Truth 1: 4 px matched exactly; truth 2: 4 px, predicted 3 of them plus 1 background
  // pixel: IoU 3/5 = 0.6; prediction 3 is a false positive. At 0.5 and 0.55: TP 2, FP 1,
  // FN 0 → 2/3; from 0.6 to 0.95: TP 1, FP 2, FN 1 → 1/4.
  // mAP = (2 · 2/3 + 8 · 1/4) / 10 = (4/3 + 2) / 10 = 1/3.
  let score = InstanceScore(predicted: row("1111.2222.33"), truth: row("1111..2222.."))
  #expect(abs(score.ap50 - 2.0 / 3) < tolerance)
  #expect(abs(score.meanAveragePrecision - 1.0 / 3) < tolerance)
  #expect(abs(score.f150 - 4.0 / 5) < tolerance)  // 2·2 / (2·2 + 1 + 0)
}

@Test func poolingAddsCountsOverImages() {
  let split = InstanceScore(predicted: row("1111111222"), truth: row("1111111111"))
  let merged = InstanceScore(predicted: row("1111111111"), truth: row("1111112222"))
  let pooled = split + merged
  // 3 true, 3 predicted, 2 matched at 0.5: 2 / (3 + 3 − 2) = 0.5.
  #expect(pooled.truthCount == 3 && pooled.predictedCount == 3)
  #expect(abs(pooled.ap50 - 0.5) < tolerance)
  #expect(abs(pooled.f150 - 2.0 / 3) < tolerance)
}
