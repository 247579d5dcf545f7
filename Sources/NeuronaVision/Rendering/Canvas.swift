// An RGB drawing surface for the charts: rectangles, lines, text in the bitmap font and pasted
// pictures, then an `Image` to write as PNG. Everything is clipped to the canvas, so a chart
// whose labels run long loses a few pixels instead of trapping.
import NeuronaImage

/// An 8-bit RGB colour.
public struct RGB: Equatable, Sendable {
  public var red: UInt8, green: UInt8, blue: UInt8

  public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  public static let white = RGB(255, 255, 255)
  public static let black = RGB(0, 0, 0)
  public static let grey = RGB(128, 128, 128)
  public static let lightGrey = RGB(225, 225, 225)
  /// The series colours of every chart, distinct for colour-blind readers (Okabe–Ito).
  public static let blue = RGB(0, 114, 178)
  public static let orange = RGB(230, 159, 0)
  public static let green = RGB(0, 158, 115)
  public static let vermilion = RGB(213, 94, 0)

  /// `self` moved towards `other` by `amount` (0 keeps self, 1 gives other).
  public func mixed(with other: RGB, _ amount: Double) -> RGB {
    let t = min(max(amount, 0), 1)
    func blend(_ a: UInt8, _ b: UInt8) -> UInt8 {
      UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded())
    }
    return RGB(blend(red, other.red), blend(green, other.green), blend(blue, other.blue))
  }

  /// Perceived brightness 0…255: picks dark or light text on a filled cell.
  public var luminance: Double {
    0.299 * Double(red) + 0.587 * Double(green) + 0.114 * Double(blue)
  }
}

/// Where a text's anchor point lies on it, horizontally.
public enum TextAlignment: Sendable {
  case left, centre, right
}

public struct Canvas {
  public let width: Int, height: Int
  private var pixels: [UInt8]

  public init(width: Int, height: Int, background: RGB = .white) {
    self.width = max(1, width)
    self.height = max(1, height)
    pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
    fill(x: 0, y: 0, width: self.width, height: self.height, background)
  }

  /// The drawing as an RGB picture.
  public var image: Image {
    // Sizes and pixel count are consistent by construction.
    try! Image(width: width, height: height, channels: 3, pixels: pixels)
  }

  public mutating func set(_ x: Int, _ y: Int, _ colour: RGB) {
    guard x >= 0, y >= 0, x < width, y < height else { return }
    let at = (y * width + x) * 3
    pixels[at] = colour.red
    pixels[at + 1] = colour.green
    pixels[at + 2] = colour.blue
  }

  public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ colour: RGB) {
    let (rows, columns) = (
      max(0, y)..<max(max(0, y), min(height, y + h)),
      max(0, x)..<max(max(0, x), min(width, x + w))
    )
    for row in rows {
      for column in columns { set(column, row, colour) }
    }
  }

  /// A rectangle's outline, `thickness` pixels inside its bounds.
  public mutating func stroke(
    x: Int, y: Int, width w: Int, height h: Int, _ colour: RGB, thickness: Int = 1
  ) {
    fill(x: x, y: y, width: w, height: thickness, colour)
    fill(x: x, y: y + h - thickness, width: w, height: thickness, colour)
    fill(x: x, y: y, width: thickness, height: h, colour)
    fill(x: x + w - thickness, y: y, width: thickness, height: h, colour)
  }

  /// A straight line `thickness` pixels wide; with `dash`, drawn `dash` pixels on, `dash` off.
  public mutating func line(
    from start: (x: Double, y: Double), to end: (x: Double, y: Double), _ colour: RGB,
    thickness: Int = 2, dash: Int? = nil
  ) {
    let length = max(abs(end.x - start.x), abs(end.y - start.y))
    let steps = max(1, Int(length.rounded(.up)))
    let offset = thickness / 2
    for step in 0...steps {
      if let dash, (step / max(dash, 1)) % 2 == 1 { continue }
      let t = Double(step) / Double(steps)
      let x = Int((start.x + (end.x - start.x) * t).rounded()) - offset
      let y = Int((start.y + (end.y - start.y) * t).rounded()) - offset
      fill(x: x, y: y, width: thickness, height: thickness, colour)
    }
  }

  /// `text` in the bitmap font, `scale` screen pixels per font pixel, its top at `y` and its
  /// anchor at `x`. With `vertical`, it reads bottom to top (a y-axis title), anchored at its
  /// middle and left edge at `x`.
  public mutating func text(
    _ text: String, x: Int, y: Int, scale: Int = 2, _ colour: RGB = .black,
    alignment: TextAlignment = .left, vertical: Bool = false
  ) {
    let length = BitmapFont.width(of: text, scale: scale)
    let start: Int
    switch alignment {
    case .left: start = 0
    case .centre: start = -length / 2
    case .right: start = -length
    }
    for (index, character) in text.enumerated() {
      for fy in 0..<BitmapFont.glyphHeight {
        for fx in 0..<BitmapFont.glyphWidth where BitmapFont.ink(character, x: fx, y: fy) {
          // Along the text: u; across it: v (top of the glyph at 0).
          let u = start + (index * BitmapFont.advance + fx) * scale
          let v = fy * scale
          for dv in 0..<scale {
            for du in 0..<scale {
              if vertical {
                set(x + v + dv, y - (u + du), colour)
              } else {
                set(x + u + du, y + v + dv, colour)
              }
            }
          }
        }
      }
    }
  }

  /// `picture` (grey, RGB or RGBA; alpha ignored) scaled by nearest neighbour to fit inside the
  /// box at (x, y), keeping its aspect ratio, centred; returns where it landed.
  @discardableResult
  public mutating func draw(
    _ picture: Image, fittingIn box: (x: Int, y: Int, width: Int, height: Int)
  ) -> (x: Int, y: Int, width: Int, height: Int) {
    let scale = min(
      Double(box.width) / Double(picture.width), Double(box.height) / Double(picture.height))
    let w = max(1, Int(Double(picture.width) * scale))
    let h = max(1, Int(Double(picture.height) * scale))
    let (left, top) = (box.x + (box.width - w) / 2, box.y + (box.height - h) / 2)
    for row in 0..<h {
      let sy = min(picture.height - 1, Int(Double(row) / scale))
      for column in 0..<w {
        let sx = min(picture.width - 1, Int(Double(column) / scale))
        let c = picture.channels
        let at = (sy * picture.width + sx) * c
        let colour =
          c < 3
          ? RGB(picture.pixels[at], picture.pixels[at], picture.pixels[at])
          : RGB(picture.pixels[at], picture.pixels[at + 1], picture.pixels[at + 2])
        set(left + column, top + row, colour)
      }
    }
    return (left, top, w, h)
  }
}
