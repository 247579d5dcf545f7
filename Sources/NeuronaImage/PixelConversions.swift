// PixelConversions: changing the channel layout — RGB ↔ grey, adding, dropping and compositing
// alpha, and attaching a mask as alpha (segmentation cut-outs). Grey uses ITU-R 601-2 luma with
// Pillow's fixed-point rounding, so `converted(toChannels: 1)` matches `convert("L")`.
// Leaves out: colour spaces other than sRGB-as-stored (no HSV, Lab, gamma handling).

extension Image {
  /// The same picture with `channels` channels (1, 3 or 4), converting as Pillow's `convert`:
  /// RGB → grey by luma, grey → RGB by copying, alpha dropped (not composited) or added opaque.
  /// - Throws: `ImageError.invalidArgument` for a channel count other than 1, 3 or 4.
  public func converted(toChannels target: Int) throws -> Image {
    try Image.validate(width: width, height: height, channels: target)
    switch (channels, target) {
    case _ where channels == target: return self
    case (3, 1): return map(to: 1) { s, d in d[0] = luma(s[0], s[1], s[2]) }
    case (4, 1): return map(to: 1) { s, d in d[0] = luma(s[0], s[1], s[2]) }
    case (1, 3):
      return map(to: 3) { s, d in
        d[0] = s[0]
        d[1] = s[0]
        d[2] = s[0]
      }
    case (1, 4):
      return map(to: 4) { s, d in
        d[0] = s[0]
        d[1] = s[0]
        d[2] = s[0]
        d[3] = 255
      }
    case (3, 4):
      return map(to: 4) { s, d in
        d[0] = s[0]
        d[1] = s[1]
        d[2] = s[2]
        d[3] = 255
      }
    default: return droppingAlpha()  // (4, 3)
    }
  }

  /// RGBA → RGB by discarding alpha (what hides behind transparent pixels shows); others as is.
  public func droppingAlpha() -> Image {
    guard channels == 4 else { return self }
    return map(to: 3) { s, d in
      d[0] = s[0]
      d[1] = s[1]
      d[2] = s[2]
    }
  }

  /// RGBA → RGB blended over a background colour: `out = (rgb·a + background·(255 − a)) / 255`,
  /// rounded. Images without alpha are returned as they are.
  public func composited(over background: (red: UInt8, green: UInt8, blue: UInt8)) -> Image {
    guard channels == 4 else { return self }
    let bg = [Int(background.red), Int(background.green), Int(background.blue)]
    return map(to: 3) { s, d in
      let a = Int(s[3])
      for c in 0..<3 {
        d[c] = UInt8(JPEGCodec.mulDiv255(Int(s[c]), a) + JPEGCodec.mulDiv255(bg[c], 255 - a))
      }
    }
  }

  /// RGB (or grey, or RGBA) with a grey `mask` of the same size as the alpha channel: the cut-out
  /// a segmenter writes (255 keeps a pixel, 0 makes it transparent).
  /// - Throws: `ImageError.invalidArgument` when the mask is not 1-channel or not the same size.
  public func withAlpha(_ mask: Image) throws -> Image {
    guard mask.channels == 1, mask.width == width, mask.height == height else {
      throw ImageError.invalidArgument(
        "an alpha mask must be 1-channel \(width)×\(height), not "
          + "\(mask.width)×\(mask.height)×\(mask.channels)")
    }
    var rgba = try converted(toChannels: 4)
    rgba.pixels.withUnsafeMutableBufferPointer { dst in
      mask.pixels.withUnsafeBufferPointer { alpha in
        for i in 0..<alpha.count { dst[4 * i + 3] = alpha[i] }
      }
    }
    return rgba
  }

  /// The picture (as RGB) with `colour` laid over it where `mask` is set, for showing a
  /// segmentation: `out = rgb + (colour − rgb)·opacity·mask/255`, rounded.
  /// - Parameters:
  ///   - mask: 1-channel, same size; 0 leaves a pixel alone, 255 tints it fully, values between
  ///     (a soft mask) tint partly.
  ///   - colour: the tint.
  ///   - opacity: 0…1, how strongly a fully set mask pixel is tinted.
  /// - Returns: a new RGB image.
  /// - Throws: `ImageError.invalidArgument` for a mask of the wrong shape or opacity outside 0…1.
  public func overlaid(
    mask: Image, colour: (red: UInt8, green: UInt8, blue: UInt8) = (255, 0, 0),
    opacity: Double = 0.5
  ) throws -> Image {
    guard mask.channels == 1, mask.width == width, mask.height == height else {
      throw ImageError.invalidArgument(
        "an overlay mask must be 1-channel \(width)×\(height), not "
          + "\(mask.width)×\(mask.height)×\(mask.channels)")
    }
    guard (0...1).contains(opacity) else {
      throw ImageError.invalidArgument("overlay opacity must be 0…1, not \(opacity)")
    }
    var rgb = try converted(toChannels: 3)
    let tint = [Int(colour.red), Int(colour.green), Int(colour.blue)]
    // The weight of each of the 256 mask levels, computed once.
    let weights = (0...255).map { opacity * Double($0) / 255 }
    rgb.pixels.withUnsafeMutableBufferPointer { dst in
      mask.pixels.withUnsafeBufferPointer { m in
        for i in 0..<m.count where m[i] != 0 {
          let weight = weights[Int(m[i])]
          for c in 0..<3 {
            let v = Int(dst[3 * i + c])
            dst[3 * i + c] = UInt8(v + Int((Double(tint[c] - v) * weight).rounded()))
          }
        }
      }
    }
    return rgb
  }

  /// Applies `body(source pixel, destination pixel)` to every pixel into a new `target`-channel
  /// image. The closure is inlined into the loop by the optimiser (generic over nothing).
  @inline(__always)
  func map(
    to target: Int,
    _ body: (UnsafePointer<UInt8>, UnsafeMutablePointer<UInt8>) -> Void
  ) -> Image {
    let n = width * height
    let c = channels
    let out = [UInt8](unsafeUninitializedCapacity: n * target) { dst, initialized in
      pixels.withUnsafeBufferPointer { srcBuffer in
        guard let src = srcBuffer.baseAddress, let d = dst.baseAddress else { return }
        for i in 0..<n { body(src + i * c, d + i * target) }
      }
      initialized = n * target
    }
    return Image(uncheckedWidth: width, height: height, channels: target, pixels: out)
  }
}

/// ITU-R 601-2 luma, L = (19595·R + 38470·G + 7471·B + 2¹⁵) >> 16 (0.299, 0.587, 0.114).
@inline(__always) func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
  UInt8(truncatingIfNeeded: (19595 * Int(r) + 38470 * Int(g) + 7471 * Int(b) + 0x8000) >> 16)
}
