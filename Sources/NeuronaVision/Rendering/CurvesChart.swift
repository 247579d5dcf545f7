// The picture `classify train` and `segment train` write beside a model (NAME.curves.png): on
// the left the training loss per epoch, on the right the training accuracy (classifiers) and
// the validation score, the best epoch marked on both. A run is judged at a glance: a loss that
// still falls wants more epochs, a validation score that turned down while training figures
// rose is overfitting.
import NeuronaImage

public enum CurvesChart {
  /// The two panels for `curves`.
  /// - Parameters:
  ///   - curves: the run's figures, epoch by epoch.
  ///   - bestEpoch: the epoch whose model was kept (0: none marked).
  ///   - scoreName: what the validation score is ("accuracy", "IoU").
  /// - Returns: an RGB picture, 1200×480.
  public static func image(_ curves: [EpochFigures], bestEpoch: Int, scoreName: String) -> Image {
    var canvas = Canvas(width: 1200, height: 480)
    let marker = bestEpoch > 0 ? (x: Double(bestEpoch), label: "best: epoch \(bestEpoch)") : nil
    let loss = LineChart(
      title: "Training loss", xTitle: "epoch", yTitle: "loss",
      series: [
        .init(
          name: "train", colour: .blue,
          points: curves.map { (Double($0.epoch), $0.trainLoss) })
      ],
      marker: marker)
    loss.draw(on: &canvas, frame: (10, 10, 580, 460))
    var scores: [LineChart.Series] = []
    let accuracy = curves.compactMap { c in c.trainAccuracy.map { (Double(c.epoch), $0) } }
    if !accuracy.isEmpty {
      scores.append(.init(name: "train accuracy", colour: .blue, points: accuracy))
    }
    let validation = curves.compactMap { c in c.validationScore.map { (Double(c.epoch), $0) } }
    if !validation.isEmpty {
      scores.append(.init(name: "validation \(scoreName)", colour: .orange, points: validation))
    }
    guard !scores.isEmpty else {
      // Nothing to plot: say how the kept epoch was chosen instead of drawing empty axes.
      for (row, line) in [
        "No validation data:", "the epoch with the lowest", "training loss was kept.",
      ].enumerated() {
        canvas.text(
          line, x: 900, y: 200 + row * 2 * BitmapFont.lineHeight, .grey, alignment: .centre)
      }
      return canvas.image
    }
    let values = (accuracy + validation).map(\.1).filter(\.isFinite)
    let low = max(0, ((values.min() ?? 0) * 10).rounded(.down) / 10)
    let score = LineChart(
      title: "Scores (higher is better)",
      xTitle: "epoch", yTitle: scoreName, series: scores, marker: marker,
      yRange: low...max(low + 0.1, min(1, values.max() ?? 1)))
    score.draw(on: &canvas, frame: (610, 10, 580, 460))
    return canvas.image
  }
}
