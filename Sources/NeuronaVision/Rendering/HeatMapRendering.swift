// Drawing an explanation: the heat map resized to the picture's own size, coloured from blue
// (no evidence) through green and yellow to red (the strongest) and blended over the
// picture, more opaquely where the evidence is strong, so the picture stays readable.
import NeuronaImage

extension Explanation {
  /// The "jet"-like colour of a value in 0…1.
  public static func colour(_ value: Float) -> (UInt8, UInt8, UInt8) {
    let v = min(max(value, 0), 1)
    func ramp(_ centre: Float) -> UInt8 {
      UInt8((min(max(1.5 - abs(4 * v - centre), 0), 1) * 255).rounded())
    }
    return (ramp(3), ramp(2), ramp(1))
  }

  /// `image` (any size) as RGB with the heat map over it.
  public func overlay(on image: Image) throws -> Image {
    let heat = try self.heat.resized(width: image.width, height: image.height)
    var rgb = image.channels == 3 ? image : try image.converted(toChannels: 3)
    for i in 0..<(image.width * image.height) {
      let value = heat.values[i]
      let colour = Explanation.colour(value)
      // 25 % heat colour everywhere, up to 70 % at the peak.
      let opacity = 0.25 + 0.45 * min(max(value, 0), 1)
      for (c, tint) in [colour.0, colour.1, colour.2].enumerated() {
        let old = Float(rgb.pixels[i * 3 + c])
        rgb.pixels[i * 3 + c] = UInt8((old + (Float(tint) - old) * opacity).rounded())
      }
    }
    return rgb
  }
}
