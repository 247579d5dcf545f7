// FloatMap: a single-channel [H, W] Float map — a segmenter's probability or logit output — with
// the few operations it needs on the way to a mask file: bilinear resize back to the input's
// size, threshold to an 8-bit mask, and scaling to an 8-bit grey picture (`--soft`).
// Leaves out: multi-channel maps (use FloatPlanes) and any arithmetic beyond this.

/// A `width × height` map of floats, row-major: `values[y·width + x]`.
public struct FloatMap: Equatable, Sendable {
  /// Width in samples.
  public let width: Int
  /// Height in samples.
  public let height: Int
  /// `height · width` values, row-major.
  public var values: [Float]

  /// Wraps values.
  /// - Throws: `ImageError.invalidArgument` when sizes are not positive or the count differs.
  public init(width: Int, height: Int, values: [Float]) throws {
    guard width >= 1, height >= 1, values.count == width * height else {
      throw ImageError.invalidArgument(
        "\(values.count) values do not make a \(width)×\(height) map")
    }
    self.width = width
    self.height = height
    self.values = values
  }

  /// Resized to `width × height`: bilinear with half-pixel centres (PyTorch's
  /// `interpolate(mode="bilinear", align_corners=False)` when enlarging), antialiased when
  /// shrinking (as `Image.resized`).
  /// - Throws: `ImageError.invalidArgument` for sizes below 1.
  public func resized(width newWidth: Int, height newHeight: Int) throws -> FloatMap {
    guard newWidth >= 1, newHeight >= 1 else {
      throw ImageError.invalidArgument("cannot resize to \(newWidth)×\(newHeight)")
    }
    let out = resamplePlane(
      values, width: width, height: height, newWidth: newWidth, newHeight: newHeight)
    return FloatMap(uncheckedWidth: newWidth, height: newHeight, values: out)
  }

  /// An 8-bit grey mask: 255 where the value is ≥ `threshold`, 0 elsewhere (NaN → 0).
  public func mask(threshold: Float = 0.5) -> Image {
    Image(
      uncheckedWidth: width, height: height, channels: 1,
      pixels: values.map { $0 >= threshold ? 255 : 0 })
  }

  /// An 8-bit grey picture of values in 0…1: `round(v · 255)`, clamped (NaN → 0).
  public func greyImage() -> Image {
    Image(
      uncheckedWidth: width, height: height, channels: 1, pixels: values.map { sample($0 * 255) })
  }

  init(uncheckedWidth width: Int, height: Int, values: [Float]) {
    self.width = width
    self.height = height
    self.values = values
  }
}
