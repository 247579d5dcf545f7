// A line chart drawn on a Canvas: axes with "nice" ticks (steps of 1, 2 or 5 × 10ᵏ), a title,
// axis titles, a legend, point markers, and an optional vertical marker (the best epoch).
import Foundation

public struct LineChart {
  public struct Series {
    public var name: String
    public var colour: RGB
    public var points: [(x: Double, y: Double)]

    public init(name: String, colour: RGB, points: [(x: Double, y: Double)]) {
      self.name = name
      self.colour = colour
      self.points = points
    }
  }

  public var title: String
  public var xTitle: String
  public var yTitle: String
  public var series: [Series]
  /// A dashed vertical line at x, labelled.
  public var marker: (x: Double, label: String)?
  /// The y range to show; by default the data's, widened to whole ticks.
  public var yRange: ClosedRange<Double>?
  /// Whether x takes whole values only (epochs): ticks then fall on integers.
  public var integerX = true

  public init(
    title: String, xTitle: String, yTitle: String, series: [Series],
    marker: (x: Double, label: String)? = nil, yRange: ClosedRange<Double>? = nil
  ) {
    self.title = title
    self.xTitle = xTitle
    self.yTitle = yTitle
    self.series = series
    self.marker = marker
    self.yRange = yRange
  }

  /// Draws the chart inside the frame (x, y, width, height) of `canvas`.
  public func draw(on canvas: inout Canvas, frame: (x: Int, y: Int, width: Int, height: Int)) {
    let scale = 2
    let textHeight = BitmapFont.glyphHeight * scale
    // The plot area leaves room for the title, the tick labels and the axis titles.
    let plot = (
      x: frame.x + 3 * textHeight + 6 * BitmapFont.advance * scale,
      y: frame.y + 2 * textHeight + 8,
      width: 0, height: 0
    )
    let plotWidth = frame.x + frame.width - textHeight - plot.x
    // Below the plot: tick labels, the x title, the legend.
    let plotHeight = frame.y + frame.height - 4 * textHeight - 24 - plot.y
    guard plotWidth > 20, plotHeight > 20 else { return }

    let points = series.flatMap(\.points).filter { $0.y.isFinite }
    let xs = points.map(\.x)
    let xLow = xs.min() ?? 0
    let xHigh = max(xs.max() ?? 1, xLow + 1)
    let ys = points.map(\.y)
    var dataRange = yRange ?? ((ys.min() ?? 0)...(ys.max() ?? 1))
    if dataRange.upperBound - dataRange.lowerBound < 1e-6 * max(1, abs(dataRange.lowerBound)) {
      // One epoch, or a flat curve: a band around the value.
      let pad = max(abs(dataRange.lowerBound) * 0.1, 0.05)
      dataRange = (dataRange.lowerBound - pad)...(dataRange.upperBound + pad)
    }
    let yTicks = Self.ticks(dataRange, count: 5, integers: false)
    let yLow = min(dataRange.lowerBound, yTicks.first ?? dataRange.lowerBound)
    let yHigh = max(dataRange.upperBound, yTicks.last ?? dataRange.upperBound)
    let xTicks = Self.ticks(xLow...xHigh, count: 8, integers: integerX)

    // Points keep a margin from the frame so that end markers show whole.
    let margin = 8.0
    func px(_ x: Double) -> Double {
      Double(plot.x) + margin + (x - xLow) / (xHigh - xLow) * (Double(plotWidth - 1) - 2 * margin)
    }
    func py(_ y: Double) -> Double {
      Double(plot.y + plotHeight - 1) - margin - (y - yLow) / max(yHigh - yLow, 1e-12)
        * (Double(plotHeight - 1) - 2 * margin)
    }

    canvas.text(title, x: frame.x + frame.width / 2, y: frame.y, scale: scale, alignment: .centre)
    // Grid lines and tick labels.
    for tick in yTicks where tick >= yLow && tick <= yHigh {
      let y = Int(py(tick).rounded())
      canvas.fill(x: plot.x, y: y, width: plotWidth, height: 1, .lightGrey)
      canvas.text(
        Self.label(tick, step: Self.step(of: yTicks)), x: plot.x - 6, y: y - textHeight / 2,
        scale: scale, alignment: .right)
    }
    for tick in xTicks where tick >= xLow && tick <= xHigh {
      let x = Int(px(tick).rounded())
      canvas.fill(x: x, y: plot.y, width: 1, height: plotHeight, .lightGrey)
      canvas.text(
        Self.label(tick, step: Self.step(of: xTicks)), x: x, y: plot.y + plotHeight + 6,
        scale: scale, alignment: .centre)
    }
    canvas.stroke(x: plot.x, y: plot.y, width: plotWidth, height: plotHeight, .black)
    canvas.text(
      xTitle, x: plot.x + plotWidth / 2, y: plot.y + plotHeight + 8 + textHeight + 4,
      scale: scale, alignment: .centre)
    canvas.text(
      yTitle, x: frame.x, y: plot.y + plotHeight / 2, scale: scale, alignment: .centre,
      vertical: true)

    if let marker {
      let x = px(marker.x)
      canvas.line(
        from: (x, Double(plot.y)), to: (x, Double(plot.y + plotHeight - 1)), .grey,
        thickness: 2, dash: 6)
      let right = x > Double(plot.x + plotWidth / 2)
      canvas.text(
        marker.label, x: Int(x.rounded()) + (right ? -6 : 6),
        y: plot.y + plotHeight - textHeight - 6, scale: scale, .grey,
        alignment: right ? .right : .left)
    }
    for item in series {
      let visible = item.points.filter { $0.y.isFinite }
      for (a, b) in zip(visible, visible.dropFirst()) {
        canvas.line(from: (px(a.x), py(a.y)), to: (px(b.x), py(b.y)), item.colour, thickness: 3)
      }
      for point in visible {
        canvas.fill(
          x: Int(px(point.x).rounded()) - 3, y: Int(py(point.y).rounded()) - 3, width: 7,
          height: 7, item.colour)
      }
    }
    // Legend: one row under the x title, centred on the plot.
    let named = series.filter { !$0.points.isEmpty }
    let entryWidths = named.map { 30 + BitmapFont.width(of: $0.name, scale: scale) }
    var legendX = plot.x + (plotWidth - entryWidths.reduce(0, +) - 24 * (named.count - 1)) / 2
    let legendY = plot.y + plotHeight + 16 + 2 * textHeight + 8
    for (item, entryWidth) in zip(named, entryWidths) {
      canvas.fill(x: legendX, y: legendY + textHeight / 2 - 2, width: 22, height: 5, item.colour)
      canvas.text(item.name, x: legendX + 30, y: legendY, scale: scale)
      legendX += entryWidth + 24
    }
  }

  /// About `count` round tick values covering `range`.
  public static func ticks(_ range: ClosedRange<Double>, count: Int, integers: Bool) -> [Double] {
    guard range.lowerBound.isFinite, range.upperBound.isFinite else { return [] }
    let span = max(range.upperBound - range.lowerBound, 1e-12)
    let rough = span / Double(max(count, 1))
    let magnitude = pow10(floor(log10(rough)))
    var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
    if integers { step = max(1, step.rounded()) }
    let first = (range.lowerBound / step).rounded(.down)
    let last = (range.upperBound / step - 1e-9).rounded(.up)
    // k·step, rounded to nine decimals: 6 × 0.2 is 1.2, not 1.2000000000000002.
    return stride(from: first, through: min(last, first + 100), by: 1).map {
      ($0 * step * 1e9).rounded() / 1e9
    }
  }

  private static func step(of ticks: [Double]) -> Double {
    ticks.count > 1 ? ticks[1] - ticks[0] : 1
  }

  /// A tick's text with as many decimals as its step needs.
  public static func label(_ value: Double, step: Double) -> String {
    let decimals = step > 0 ? max(0, min(6, Int(-floor(log10(step) + 1e-9)))) : 2
    let text = String(format: "%.\(decimals)f", value)
    return text == "-0" ? "0" : text
  }
}

private func pow10(_ exponent: Double) -> Double { pow(10, exponent) }
