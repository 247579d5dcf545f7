// `classify evaluate --plot`: the confusion matrix as a picture. Rows are the true classes,
// columns the predicted ones; each cell shows its count and is coloured by its share of the
// row (so a rare class's errors show as clearly as a common one's), the diagonal in blue and
// the errors in vermilion (by the square root of their share, so that small ones show). Beside it, each class's precision, recall and support.
import Foundation
import NeuronaImage

public enum ConfusionMatrixChart {
  /// The chart of `matrix`, whose classes are called `classNames`.
  /// - Parameters:
  ///   - matrix: counts of (truth, prediction) pairs.
  ///   - classNames: one name per class, in label order.
  /// - Returns: an RGB picture sized to the number of classes (names and counts are left out
  ///   where cells grow too small to hold them).
  public static func image(_ matrix: ConfusionMatrix, classNames: [String]) -> Image {
    let k = max(matrix.classCount, 1)
    let cell = max(4, min(64, 720 / k))
    let scale = cell >= 44 ? 2 : 1
    let textHeight = BitmapFont.glyphHeight * scale
    let showNames = cell >= textHeight + 2
    let names = (0..<k).map { $0 < classNames.count ? classNames[$0] : "class \($0)" }
    let nameWidth =
      showNames ? (names.map { BitmapFont.width(of: $0, scale: scale) }.max() ?? 0) : 0
    let axisTitle = BitmapFont.glyphHeight * 2 + 12
    let left = 12 + axisTitle + nameWidth + 8
    let top = 12 + 2 * (BitmapFont.glyphHeight * 2) + 24
    let grid = cell * k
    let columnWidth = BitmapFont.width(of: "precision", scale: scale) + 8 * scale
    let statsWidth = showNames ? 3 * columnWidth + 20 : 0
    let width = left + grid + 20 + statsWidth + 12
    let height = top + grid + 8 + nameWidth + 12 + axisTitle + 12
    var canvas = Canvas(width: width, height: height)

    canvas.text(
      String(
        format: "Confusion matrix: %d examples, accuracy %.4f", matrix.total, matrix.accuracy),
      x: left + grid / 2, y: 12, scale: 2, alignment: .centre)
    canvas.text(
      "colour: share of the true class's examples", x: left + grid / 2,
      y: 12 + BitmapFont.lineHeight * 2 + 2, scale: 2, .grey, alignment: .centre)
    let support = matrix.support
    for truth in 0..<k {
      for prediction in 0..<k {
        let count = truth < matrix.classCount ? matrix.counts[truth][prediction] : 0
        let share = support[truth] > 0 ? Double(count) / Double(support[truth]) : 0
        // Errors are usually a few percent: a square root makes 5 % visible without letting
        // them outshine the diagonal.
        let colour =
          truth == prediction
          ? RGB.white.mixed(with: .blue, share)
          : RGB.white.mixed(with: .vermilion, share.squareRoot())
        let (x, y) = (left + prediction * cell, top + truth * cell)
        canvas.fill(x: x, y: y, width: cell, height: cell, colour)
        let text = "\(count)"
        if BitmapFont.width(of: text, scale: scale) + 4 <= cell, textHeight + 2 <= cell {
          canvas.text(
            text, x: x + cell / 2, y: y + (cell - textHeight) / 2, scale: scale,
            colour.luminance < 140 ? .white : .black, alignment: .centre)
        }
      }
    }
    canvas.stroke(x: left - 1, y: top - 1, width: grid + 2, height: grid + 2, .grey)
    if showNames {
      for (index, name) in names.enumerated() {
        let middle = index * cell + (cell - textHeight) / 2
        canvas.text(name, x: left - 8, y: top + middle, scale: scale, alignment: .right)
        canvas.text(
          name, x: left + index * cell + (cell - textHeight) / 2, y: top + grid + 8,
          scale: scale, alignment: .right, vertical: true)
      }
      // Per-class figures, in columns beside the rows.
      let columns = ["precision", "recall", "support"]
      for (c, title) in columns.enumerated() {
        let x = left + grid + 20 + c * columnWidth + columnWidth - 4
        canvas.text(title, x: x, y: top - textHeight - 6, scale: scale, .grey, alignment: .right)
        for index in 0..<k {
          let value: String
          switch c {
          case 0: value = matrix.precision(index).map { String(format: "%.3f", $0) } ?? "-"
          case 1: value = matrix.recall(index).map { String(format: "%.3f", $0) } ?? "-"
          default: value = "\(support[index])"
          }
          canvas.text(
            value, x: x, y: top + index * cell + (cell - textHeight) / 2, scale: scale,
            alignment: .right)
        }
      }
    }
    canvas.text(
      "true class", x: 12, y: top + grid / 2, scale: 2, alignment: .centre, vertical: true)
    canvas.text(
      "predicted class", x: left + grid / 2, y: height - 12 - BitmapFont.glyphHeight * 2,
      scale: 2, alignment: .centre)
    return canvas.image
  }
}
