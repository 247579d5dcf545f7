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
    _ image: Image, mask: Image, tint: (red: UInt8, green: UInt8, blue: UInt8) = (255, 40, 40)
  ) throws -> Image {
    try image.overlaid(mask: mask, colour: tint, opacity: 0.4)
      .overlaid(mask: outline(of: mask), colour: tint, opacity: 1)
  }

  /// 255 on foreground pixels that touch the background (4-neighbourhood) or the border.
  public static func outline(of mask: Image) throws -> Image {
    let (width, height) = (mask.width, mask.height)
    let inside = { (x: Int, y: Int) in mask.pixels[y * width + x] != 0 }
    var edge = [UInt8](repeating: 0, count: width * height)
    for y in 0..<height {
      for x in 0..<width where inside(x, y) {
        let border = x == 0 || y == 0 || x == width - 1 || y == height - 1
        if border || !inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1)
          || !inside(x, y + 1)
        {
          edge[y * width + x] = 255
        }
      }
    }
    return try Image(width: width, height: height, channels: 1, pixels: edge)
  }
}
