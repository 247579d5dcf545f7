// The project's own charts: tick choice and labels with known answers, text that lands where it
// is asked to, and the learning-curves picture showing each series in its colour.
import NeuronaImage
import NeuronaVision
import Testing

@Test func ticksAreRoundNumbersCoveringTheRange() {
  #expect(LineChart.ticks(0.43...1.3, count: 5, integers: false) == [0.4, 0.6, 0.8, 1.0, 1.2, 1.4])
  #expect(LineChart.ticks(1...6, count: 8, integers: true) == [1, 2, 3, 4, 5, 6])
  #expect(LineChart.ticks(1...40, count: 8, integers: true) == [0, 5, 10, 15, 20, 25, 30, 35, 40])
  #expect(LineChart.label(0.6000000001, step: 0.2) == "0.6")
  #expect(LineChart.label(15, step: 5) == "15")
  #expect(LineChart.label(0.025, step: 0.005) == "0.025")
}

@Test func aCurveOfOneEpochDrawsWithoutTrapping() {
  for figures in [
    [EpochFigures(epoch: 1, trainLoss: 0.7, trainAccuracy: 0.56)],
    [EpochFigures(epoch: 1, trainLoss: 0), EpochFigures(epoch: 2, trainLoss: 0)],
    [EpochFigures(epoch: 1, trainLoss: .nan, validationScore: .infinity)], [],
  ] {
    #expect(CurvesChart.image(figures, bestEpoch: 1, scoreName: "IoU").width == 1200)
  }
}

@Test func textInksOnlyItsOwnCells() {
  var canvas = Canvas(width: 40, height: 20)
  canvas.text("I-", x: 2, y: 3, scale: 2)
  let picture = canvas.image
  let inked = (0..<(40 * 20)).filter { picture.pixels[3 * $0] == 0 }
  // "I" (11 font pixels) and "-" (5) at scale 2: 4 screen pixels per font pixel.
  #expect(inked.count == (11 + 5) * 4)
  #expect(inked.allSatisfy { (2..<2 + 11 * 2).contains($0 % 40) && (3..<3 + 14).contains($0 / 40) })
}

@Test func curvesShowEverySeriesInItsColour() {
  let curves = (1...5).map {
    EpochFigures(
      epoch: $0, trainLoss: 1 / Double($0), trainAccuracy: 0.5 + 0.08 * Double($0),
      validationScore: 0.55 + 0.05 * Double($0), seconds: 1)
  }
  let picture = CurvesChart.image(curves, bestEpoch: 5, scoreName: "accuracy")
  #expect(picture.width == 1200 && picture.height == 480)
  func count(_ colour: RGB, columns: Range<Int>) -> Int {
    var found = 0
    for y in 0..<picture.height {
      for x in columns {
        let at = (y * picture.width + x) * 3
        if (picture.pixels[at], picture.pixels[at + 1], picture.pixels[at + 2])
          == (colour.red, colour.green, colour.blue)
        {
          found += 1
        }
      }
    }
    return found
  }
  // Left panel: the loss in blue, no orange; right panel: both.
  #expect(count(.blue, columns: 0..<600) > 500)
  #expect(count(.orange, columns: 0..<600) == 0)
  #expect(count(.blue, columns: 600..<1200) > 500)
  #expect(count(.orange, columns: 600..<1200) > 500)
}

@Test func confusionMatrixChartColoursTheDiagonalByShare() {
  var matrix = ConfusionMatrix(classCount: 2)
  for _ in 0..<9 { matrix.add(truth: 0, prediction: 0) }
  matrix.add(truth: 0, prediction: 1)
  for _ in 0..<10 { matrix.add(truth: 1, prediction: 1) }
  let picture = ConfusionMatrixChart.image(matrix, classNames: ["cat", "dog"])
  let pixels = stride(from: 0, to: picture.pixels.count, by: 3).map {
    RGB(picture.pixels[$0], picture.pixels[$0 + 1], picture.pixels[$0 + 2])
  }
  // Class 1 is all right (full blue); class 0 90 % (blue mixed 0.9 with white).
  #expect(pixels.contains(.blue))
  #expect(pixels.contains(RGB.white.mixed(with: .blue, 0.9)))
  #expect(pixels.contains(RGB.white.mixed(with: .vermilion, 0.1.squareRoot())))
}
