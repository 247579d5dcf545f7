// `segment evaluate --plot`: where a segmenter fails, as one picture. The worst pictures by IoU
// in a grid, each with the prediction filled in vermilion and the true mask outlined in green
// (misses are green outlines with no fill, false alarms fill outside any outline), captioned
// with its IoU and name; under them the histogram of every picture's IoU.
import Foundation
import NeuronaImage

public enum SegmentationSheet {
  /// The sheet for `records`, re-segmenting the worst `worst` pictures to draw them.
  /// - Parameters:
  ///   - segmenter: the model evaluated.
  ///   - records: every picture's figures (from `SegmentationEvaluation.records`).
  ///   - threshold: the probability above which a pixel was called foreground.
  ///   - worst: how many pictures to show.
  /// - Returns: an RGB picture.
  /// - Throws: `ImageError` or `VisionError` when a shown pair cannot be read again.
  public static func image(
    segmenter: Segmenter, records: [SegmentationRecord], threshold: Float = 0.5, worst: Int = 8
  ) throws -> Image {
    let shown = Array(records.sorted { $0.iou < $1.iou }.prefix(worst))
    let (columns, box, gap, caption) = (4, 240, 16, 2 * BitmapFont.lineHeight * 2)
    let rows = (shown.count + columns - 1) / columns
    let histogramHeight = 300
    let width = columns * (box + gap) + gap
    let header = 2 * BitmapFont.lineHeight * 2 + 20
    let height = header + rows * (box + caption + gap) + histogramHeight + gap
    var canvas = Canvas(width: width, height: height)
    canvas.text(
      "The \(shown.count) worst of \(records.count) pictures by IoU", x: width / 2, y: 10,
      alignment: .centre)
    let legend = "filled: prediction   outlined: true mask"
    canvas.text(
      legend, x: width / 2, y: 10 + BitmapFont.lineHeight * 2 + 2, .grey, alignment: .centre)
    for (index, record) in shown.enumerated() {
      let pair = try MaskPairs.load(image: record.path, mask: record.maskPath)
      let predicted = try segmenter.probabilities(pair.image).values.map { $0 >= threshold }
      let picture = try overlay(pair, predicted: predicted)
      let x = gap + (index % columns) * (box + gap)
      let y = header + (index / columns) * (box + caption + gap)
      canvas.draw(picture, fittingIn: (x, y, box, box))
      let name = URL(fileURLWithPath: record.path).lastPathComponent
      let fitted = name.count > 19 ? String(name.prefix(18)) + "~" : name
      canvas.text(String(format: "IoU %.3f", record.iou), x: x, y: y + box + 4)
      canvas.text(fitted, x: x, y: y + box + 4 + BitmapFont.lineHeight * 2, .grey)
    }
    histogram(
      records.map(\.iou), on: &canvas,
      frame: (0, height - histogramHeight - gap, width, histogramHeight))
    return canvas.image
  }

  /// The picture in colour with the prediction tinted and the truth's border drawn.
  static func overlay(_ pair: MaskedImage, predicted: [Bool]) throws -> Image {
    let (w, h) = (pair.image.width, pair.image.height)
    let rgb = try pair.image.converted(toChannels: 3)
    var pixels = rgb.pixels
    let truth = pair.mask.map { $0 != 0 }
    // Outlines two pixels wide even when the picture is shown shrunk.
    let thickness = max(1, max(w, h) / 240)
    for y in 0..<h {
      for x in 0..<w {
        let i = y * w + x
        var colour = RGB(pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2])
        if predicted[i] { colour = colour.mixed(with: .vermilion, 0.55) }
        if truth[i], isBorder(truth, x: x, y: y, width: w, height: h, reach: thickness) {
          colour = .green
        }
        (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]) = (
          colour.red, colour.green, colour.blue
        )
      }
    }
    return try Image(width: w, height: h, channels: 3, pixels: pixels)
  }

  /// Whether a foreground pixel has background (or the edge) within `reach` pixels.
  private static func isBorder(
    _ mask: [Bool], x: Int, y: Int, width: Int, height: Int, reach: Int
  ) -> Bool {
    for dy in -reach...reach {
      for dx in -reach...reach {
        let (nx, ny) = (x + dx, y + dy)
        if nx < 0 || ny < 0 || nx >= width || ny >= height || !mask[ny * width + nx] {
          return true
        }
      }
    }
    return false
  }

  /// Counts of `values` (0…1) in ten bins, as bars with their counts above them.
  static func histogram(
    _ values: [Double], on canvas: inout Canvas, frame: (x: Int, y: Int, width: Int, height: Int)
  ) {
    var bins = [Int](repeating: 0, count: 10)
    for value in values where value.isFinite {
      bins[min(9, max(0, Int(value * 10)))] += 1
    }
    let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    canvas.text(
      String(format: "Per-picture IoU: %d pictures, mean %.3f", values.count, mean),
      x: frame.x + frame.width / 2, y: frame.y, alignment: .centre)
    let textHeight = BitmapFont.glyphHeight * 2
    let plot = (
      x: frame.x + 60, y: frame.y + textHeight + 2 * textHeight + 10,
      width: frame.width - 120, height: frame.height - 5 * textHeight - 30
    )
    let tallest = max(bins.max() ?? 1, 1)
    let barWidth = plot.width / 10
    for (index, count) in bins.enumerated() {
      let barHeight = count * plot.height / tallest
      let x = plot.x + index * barWidth
      canvas.fill(
        x: x + 3, y: plot.y + plot.height - barHeight, width: barWidth - 6, height: barHeight,
        .blue)
      canvas.text(
        "\(count)", x: x + barWidth / 2, y: plot.y + plot.height - barHeight - textHeight - 4,
        alignment: .centre)
    }
    canvas.fill(x: plot.x, y: plot.y + plot.height, width: plot.width, height: 2, .black)
    for tick in 0...10 {
      let x = plot.x + tick * barWidth
      canvas.fill(x: x, y: plot.y + plot.height, width: 2, height: 6, .black)
      canvas.text(
        String(format: "%.1f", Double(tick) / 10), x: x, y: plot.y + plot.height + 10,
        alignment: .centre)
    }
    canvas.text(
      "IoU", x: plot.x + plot.width / 2, y: plot.y + plot.height + 14 + textHeight,
      alignment: .centre)
  }
}
