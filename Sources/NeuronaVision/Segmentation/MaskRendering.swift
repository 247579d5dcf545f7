// Turning a probability map into the pictures `segment` writes: the binary mask, the soft
// map, the cut-out (transparent background) and the overlay (tint plus outline).
import NeuronaImage

/// The pictures made from a segmentation.
public enum MaskRendering {
  /// 255 where p ≥ threshold, else 0 (8-bit grey).
  public static func mask(_ map: FloatMap, threshold: Float) -> Image {
    map.mask(threshold: threshold)
  }

  /// The probability map as 8-bit grey (0 → 0, 1 → 255).
  public static func soft(_ map: FloatMap) -> Image { map.greyImage() }

  /// The picture as RGBA with the background transparent (alpha = the binary mask).
  public static func cutout(_ image: Image, mask: Image) throws -> Image {
    try image.withAlpha(mask)
  }

  /// The picture with the foreground tinted and its outline drawn, as RGB.
  public static func overlay(
    _ image: Image, mask: Image, tint: (UInt8, UInt8, UInt8) = (255, 40, 40)
  ) throws -> Image {
    let rgb = image.channels == 3 ? image : try image.converted(toChannels: 3)
    var pixels = rgb.pixels
    let (width, height) = (rgb.width, rgb.height)
    let inside = { (x: Int, y: Int) in mask.pixels[y * width + x] != 0 }
    let colour = [tint.0, tint.1, tint.2]
    for y in 0..<height {
      for x in 0..<width where inside(x, y) {
        let edge = x == 0 || y == 0 || x == width - 1 || y == height - 1
          || !inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1)
        for c in 0..<3 {
          let i = (y * width + x) * 3 + c
          // Outline in the solid tint; inside, 60 % picture and 40 % tint.
          pixels[i] = edge ? colour[c] : UInt8((Int(pixels[i]) * 3 + Int(colour[c]) * 2) / 5)
        }
      }
    }
    return try Image(width: width, height: height, channels: 3, pixels: pixels)
  }
}
