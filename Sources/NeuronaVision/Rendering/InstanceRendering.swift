// Drawing instances over the picture (`segment --instances --overlay`): each object tinted in
// its own colour with its outline and its bounding box, so touching objects that were told
// apart are seen to be apart.
import NeuronaImage

extension MaskRendering {
  /// A distinct, bright colour for object `id` (hues a golden angle apart).
  public static func colour(ofObject id: Int) -> (UInt8, UInt8, UInt8) {
    let hue = (Double(id) * 137.508).truncatingRemainder(dividingBy: 360) / 60
    let x = 1 - abs(hue.truncatingRemainder(dividingBy: 2) - 1)
    let (r, g, b): (Double, Double, Double)
    switch Int(hue) {
    case 0: (r, g, b) = (1, x, 0)
    case 1: (r, g, b) = (x, 1, 0)
    case 2: (r, g, b) = (0, 1, x)
    case 3: (r, g, b) = (0, x, 1)
    case 4: (r, g, b) = (x, 0, 1)
    default: (r, g, b) = (1, 0, x)
    }
    // Saturation 0.8, value 1: never black, never the same as the next id.
    let scale = { (v: Double) in UInt8(((0.2 + 0.8 * v) * 255).rounded()) }
    return (scale(r), scale(g), scale(b))
  }

  /// The picture (as RGB) with each instance tinted in its colour, outlined, and boxed.
  public static func overlay(_ image: Image, instances: InstanceMap) throws -> Image {
    guard instances.width == image.width, instances.height == image.height else {
      throw VisionError(
        "instances are \(instances.width)×\(instances.height), picture \(image.width)×\(image.height)"
      )
    }
    let rgb = image.channels == 3 ? image : try image.converted(toChannels: 3)
    var pixels = rgb.pixels
    let (width, height) = (rgb.width, rgb.height)
    let labels = instances.labels
    let colours = instances.objects.map { colour(ofObject: $0.id) }
    func paint(_ i: Int, _ c: (UInt8, UInt8, UInt8), opacity: Int) {
      for (k, v) in [c.0, c.1, c.2].enumerated() {
        pixels[i * 3 + k] = UInt8((Int(pixels[i * 3 + k]) * (10 - opacity) + Int(v) * opacity) / 10)
      }
    }
    for y in 0..<height {
      for x in 0..<width {
        let id = Int(labels[y * width + x])
        guard id != 0 else { continue }
        let same = { (u: Int, v: Int) in
          u < 0 || v < 0 || u >= width || v >= height || Int(labels[v * width + u]) == id
        }
        let edge = !same(x - 1, y) || !same(x + 1, y) || !same(x, y - 1) || !same(x, y + 1)
        paint(y * width + x, colours[id - 1], opacity: edge ? 10 : 4)
      }
    }
    for (object, colour) in zip(instances.objects, colours) {
      let (x0, y0) = (object.x, object.y)
      let (x1, y1) = (object.x + object.width - 1, object.y + object.height - 1)
      for x in x0...x1 {
        paint(y0 * width + x, colour, opacity: 10)
        paint(y1 * width + x, colour, opacity: 10)
      }
      for y in y0...y1 {
        paint(y * width + x0, colour, opacity: 10)
        paint(y * width + x1, colour, opacity: 10)
      }
    }
    return try Image(width: width, height: height, channels: 3, pixels: pixels)
  }
}
