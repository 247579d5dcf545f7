// Geometry: crop, pad, flips, quarter turns, transpose and EXIF orientation — every transform
// that moves whole pixels without changing their values. All but `padded` are one affine walk
// over the source (`affineCopy`): output pixel (x, y) comes from source offset
// `start + x·stepX + y·stepY` (in samples), so each is a line or two to state.
// Leaves out: arbitrary angles and sub-pixel shifts (those resample; see Resize.swift).

extension Image {
  /// The `width × height` rectangle whose top-left corner is (`x`, `y`).
  /// - Throws: `ImageError.invalidArgument` when the rectangle is empty or leaves the image.
  public func cropped(x: Int, y: Int, width: Int, height: Int) throws -> Image {
    guard width >= 1, height >= 1, x >= 0, y >= 0, x + width <= self.width,
      y + height <= self.height
    else {
      throw ImageError.invalidArgument(
        "crop \(width)×\(height) at (\(x), \(y)) is not inside a \(self.width)×\(self.height) image"
      )
    }
    return affineCopy(
      width: width, height: height, start: (y * self.width + x) * channels, stepX: channels,
      stepY: rowLength)
  }

  /// The image with borders added, filled with `value` (one entry per channel, or one for all).
  /// - Throws: `ImageError.invalidArgument` for negative borders or a bad fill value.
  public func padded(top: Int, left: Int, bottom: Int, right: Int, value: [UInt8] = [0]) throws
    -> Image
  {
    guard top >= 0, left >= 0, bottom >= 0, right >= 0 else {
      throw ImageError.invalidArgument("padding cannot be negative")
    }
    var out = try Image(
      width: width + left + right, height: height + top + bottom, channels: channels,
      filledWith: value)
    let outRow = out.rowLength
    out.pixels.withUnsafeMutableBufferPointer { dstBuffer in
      pixels.withUnsafeBufferPointer { srcBuffer in
        guard let dst = dstBuffer.baseAddress, let src = srcBuffer.baseAddress else { return }
        for y in 0..<height {
          (dst + (y + top) * outRow + left * channels).update(
            from: src + y * rowLength, count: rowLength)
        }
      }
    }
    return out
  }

  /// Mirrored left–right.
  public func flippedHorizontally() -> Image {
    affineCopy(
      width: width, height: height, start: (width - 1) * channels, stepX: -channels,
      stepY: rowLength)
  }

  /// Mirrored top–bottom.
  public func flippedVertically() -> Image {
    affineCopy(
      width: width, height: height, start: (height - 1) * rowLength, stepX: channels,
      stepY: -rowLength)
  }

  /// Turned clockwise by `quarterTurns` × 90° (negative turns go counter-clockwise).
  public func rotated(quarterTurns: Int) -> Image {
    switch ((quarterTurns % 4) + 4) % 4 {
    case 1:  // out(x, y) = in(y, H−1−x)
      return affineCopy(
        width: height, height: width, start: (height - 1) * rowLength, stepX: -rowLength,
        stepY: channels)
    case 2:  // out(x, y) = in(W−1−x, H−1−y)
      return affineCopy(
        width: width, height: height, start: pixels.count - channels, stepX: -channels,
        stepY: -rowLength)
    case 3:  // out(x, y) = in(W−1−y, x)
      return affineCopy(
        width: height, height: width, start: (width - 1) * channels, stepX: rowLength,
        stepY: -channels)
    default:
      return self
    }
  }

  /// Mirrored along the main diagonal: out(x, y) = in(y, x).
  public func transposed() -> Image {
    affineCopy(width: height, height: width, start: 0, stepX: rowLength, stepY: channels)
  }

  /// Mirrored along the anti-diagonal: out(x, y) = in(W−1−y, H−1−x).
  public func transversed() -> Image {
    affineCopy(
      width: height, height: width, start: pixels.count - channels, stepX: -rowLength,
      stepY: -channels)
  }

  /// Stored pixels turned upright according to an EXIF orientation.
  public func oriented(_ orientation: EXIFOrientation) -> Image {
    switch orientation {
    case .topLeft: return self
    case .topRight: return flippedHorizontally()
    case .bottomRight: return rotated(quarterTurns: 2)
    case .bottomLeft: return flippedVertically()
    case .leftTop: return transposed()
    case .rightTop: return rotated(quarterTurns: 1)
    case .rightBottom: return transversed()
    case .leftBottom: return rotated(quarterTurns: 3)
    }
  }

  /// A `width × height` image whose pixel (x, y) is the source pixel at sample offset
  /// `start + x·stepX + y·stepY`. Callers guarantee every offset is in range.
  func affineCopy(width: Int, height: Int, start: Int, stepX: Int, stepY: Int) -> Image {
    let c = channels
    let count = width * height * c
    let out = [UInt8](unsafeUninitializedCapacity: count) { dst, initialized in
      pixels.withUnsafeBufferPointer { srcBuffer in
        guard let src = srcBuffer.baseAddress, let d = dst.baseAddress else { return }
        var o = 0
        for y in 0..<height {
          var s = start + y * stepY
          if stepX == c {  // rows stay rows: copy them whole
            (d + o).update(from: src + s, count: width * c)
            o += width * c
            continue
          }
          for _ in 0..<width {
            for k in 0..<c { d[o + k] = src[s + k] }
            o += c
            s += stepX
          }
        }
      }
      initialized = count
    }
    return Image(uncheckedWidth: width, height: height, channels: c, pixels: out)
  }
}
