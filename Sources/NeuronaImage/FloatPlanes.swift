// FloatPlanes: Image ↔ Float32 planes in the layout networks take — [C, H, W], channel-major,
// `(sample / 255 − mean[c]) / std[c]` — and back (inverse normalisation, rounded, clamped).
// Leaves out: batching (a batch is several of these arrays one after another).

extension Image {
  /// The pixels as `[C, H, W]` floats: `planes[(c·H + y)·W + x] = (pixel / 255 − mean[c]) / std[c]`.
  ///
  /// `mean` and `std` have one entry per channel, or one for all (`[0], [1]` gives plain 0…1).
  /// - Throws: `ImageError.invalidArgument` for wrong lengths or a zero std.
  public func floatPlanes(mean: [Float] = [0], std: [Float] = [1]) throws -> [Float] {
    let (m, s) = try Image.normalisation(mean: mean, std: std, channels: channels)
    let plane = width * height
    let c = channels
    let scale = s.map { 1 / (255 * $0) }
    let shift = zip(m, s).map { -$0 / $1 }
    return [Float](unsafeUninitializedCapacity: plane * c) { dst, initialized in
      pixels.withUnsafeBufferPointer { src in
        for ch in 0..<c {
          let (a, b) = (scale[ch], shift[ch])
          let o = ch * plane
          for i in 0..<plane { dst[o + i] = Float(src[i * c + ch]) * a + b }
        }
      }
      initialized = plane * c
    }
  }

  /// The image whose `floatPlanes(mean:std:)` are `planes` (the inverse: `· std + mean`, ·255,
  /// rounded to the nearest sample and clamped to 0…255; NaN becomes 0).
  /// - Throws: `ImageError.invalidArgument` for bad sizes or a `planes` count that does not
  ///   match.
  public init(
    floatPlanes planes: [Float], width: Int, height: Int, channels: Int, mean: [Float] = [0],
    std: [Float] = [1]
  ) throws {
    try Image.validate(width: width, height: height, channels: channels)
    guard planes.count == width * height * channels else {
      throw ImageError.invalidArgument(
        "\(planes.count) floats do not make \(channels) planes of \(width)×\(height)")
    }
    let (m, s) = try Image.normalisation(mean: mean, std: std, channels: channels)
    let plane = width * height
    let pixels = [UInt8](unsafeUninitializedCapacity: plane * channels) { dst, initialized in
      planes.withUnsafeBufferPointer { src in
        for ch in 0..<channels {
          let (a, b) = (255 * s[ch], 255 * m[ch])
          for i in 0..<plane { dst[i * channels + ch] = sample(src[ch * plane + i] * a + b) }
        }
      }
      initialized = plane * channels
    }
    self.init(uncheckedWidth: width, height: height, channels: channels, pixels: pixels)
  }

  /// Per-channel mean and std, expanded from one value when one is given.
  static func normalisation(mean: [Float], std: [Float], channels: Int) throws
    -> ([Float], [Float])
  {
    guard mean.count == 1 || mean.count == channels, std.count == 1 || std.count == channels
    else {
      throw ImageError.invalidArgument(
        "mean and std need 1 or \(channels) values, not \(mean.count) and \(std.count)")
    }
    guard std.allSatisfy({ $0 != 0 && $0.isFinite }), mean.allSatisfy({ $0.isFinite }) else {
      throw ImageError.invalidArgument("std must be finite and non-zero, mean finite")
    }
    let m = mean.count == 1 ? [Float](repeating: mean[0], count: channels) : mean
    let s = std.count == 1 ? [Float](repeating: std[0], count: channels) : std
    return (m, s)
  }
}

/// A float in sample units (0…255) rounded and clamped to a byte; NaN → 0.
@inline(__always) func sample(_ value: Float) -> UInt8 {
  guard value > 0 else { return 0 }
  return value >= 255 ? 255 : UInt8(value + 0.5)
}
