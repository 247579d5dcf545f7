// Resize: separable resampling with the triangle (bilinear) filter, widened by the scale factor
// when shrinking so every source pixel contributes (antialiasing: a 4000-pixel photo shrunk to
// 256 averages over its area instead of sampling every 16th pixel). This is Pillow's
// `Image.resize(size, BILINEAR)`: the same weights and 22-bit fixed point, horizontal pass first,
// so results match Pillow's to the last bit or within 1.
// Dimension letters: W, H input size; W', H' output size; C channels.
// Leaves out: other filters (bicubic, Lanczos) and align-corners sampling.

/// Per-output-position taps of the widened triangle filter along one axis.
///
/// Output position `i` reads `count[i]` inputs starting at `first[i]`, with weights
/// `weights[i·taps ..< i·taps + count[i]]` that sum to 1.
struct ResampleWeights {
  let taps: Int
  var first: [Int]
  var count: [Int]
  var weights: [Double]

  /// Weights for `inSize → outSize`: source centre `(i + ½)·scale`, filter support `max(scale, 1)`.
  init(inSize: Int, outSize: Int) {
    let scale = Double(inSize) / Double(outSize)
    let filterScale = max(scale, 1)
    let support = filterScale  // the triangle's support is 1 input pixel, widened by the scale
    taps = Int(support.rounded(.up)) * 2 + 1
    first = [Int](repeating: 0, count: outSize)
    count = [Int](repeating: 0, count: outSize)
    weights = [Double](repeating: 0, count: outSize * taps)
    for i in 0..<outSize {
      let centre = (Double(i) + 0.5) * scale
      let lo = max(Int(centre - support + 0.5), 0)  // Int() truncates toward zero, as C does
      let n = min(Int(centre + support + 0.5), inSize) - lo
      var total = 0.0
      for t in 0..<n {
        let w = max(0, 1 - abs((Double(t + lo) - centre + 0.5) / filterScale))
        weights[i * taps + t] = w
        total += w
      }
      if total != 0 { for t in 0..<n { weights[i * taps + t] /= total } }
      first[i] = lo
      count[i] = n
    }
  }

  /// The weights in 22-bit fixed point (8-bit samples × weight sums stay inside Int32).
  func fixedPoint() -> [Int32] {
    weights.map { w in Int32((w * Double(1 << ResampleWeights.precisionBits)).rounded()) }
  }

  static let precisionBits = 22
}

extension Image {
  /// Resized to `width × height` with the bilinear filter, antialiased when shrinking.
  /// - Throws: `ImageError.invalidArgument` for sizes below 1.
  public func resized(width newWidth: Int, height newHeight: Int) throws -> Image {
    try Image.validate(width: newWidth, height: newHeight, channels: channels)
    var image = self
    if newWidth != width { image = image.resampledHorizontally(to: newWidth) }
    if newHeight != height { image = image.resampledVertically(to: newHeight) }
    return image
  }

  /// [H, W, C] → [H, W', C].
  func resampledHorizontally(to newWidth: Int) -> Image {
    let plan = ResampleWeights(inSize: width, outSize: newWidth)
    let kernel = plan.fixedPoint()
    let c = channels
    let (rows, inRow, outRow, taps) = (height, rowLength, newWidth * c, plan.taps)
    let count = rows * outRow
    let out = [UInt8](unsafeUninitializedCapacity: count) { dstBuffer, initialized in
      withPointers(pixels, kernel, plan.first, plan.count) { src, k, first, n in
        guard let dst = dstBuffer.baseAddress else { return }
        for y in 0..<rows {
          let srcRow = src + y * inRow
          let dstRow = dst + y * outRow
          for x in 0..<newWidth {
            let kx = k + x * taps
            let s0 = srcRow + first[x] * c
            let taps = n[x]
            if c == 1 {
              var sum = halfUnit
              for t in 0..<taps { sum &+= Int32(s0[t]) &* kx[t] }
              dstRow[x] = clip8(sum)
            } else {
              var (r, g, b, a) = (halfUnit, halfUnit, halfUnit, halfUnit)
              for t in 0..<taps {
                let p = s0 + t * c
                let w = kx[t]
                r &+= Int32(p[0]) &* w
                g &+= Int32(p[1]) &* w
                b &+= Int32(p[2]) &* w
                if c == 4 { a &+= Int32(p[3]) &* w }
              }
              let d = dstRow + x * c
              d[0] = clip8(r)
              d[1] = clip8(g)
              d[2] = clip8(b)
              if c == 4 { d[3] = clip8(a) }
            }
          }
        }
      }
      initialized = count
    }
    return Image(uncheckedWidth: newWidth, height: height, channels: c, pixels: out)
  }

  /// [H, W, C] → [H', W, C]; each output row is a weighted sum of whole input rows.
  func resampledVertically(to newHeight: Int) -> Image {
    let plan = ResampleWeights(inSize: height, outSize: newHeight)
    let kernel = plan.fixedPoint()
    let (rowSamples, taps) = (rowLength, plan.taps)
    let count = newHeight * rowSamples
    let out = [UInt8](unsafeUninitializedCapacity: count) { dstBuffer, initialized in
      withPointers(pixels, kernel, plan.first, plan.count) { src, k, first, n in
        guard let dst = dstBuffer.baseAddress else { return }
        // One row of 32-bit sums, reused for every output row.
        let sums = UnsafeMutablePointer<Int32>.allocate(capacity: rowSamples)
        defer { sums.deallocate() }
        for y in 0..<newHeight {
          sums.update(repeating: halfUnit, count: rowSamples)
          let ky = k + y * taps
          for t in 0..<n[y] {
            let row = src + (first[y] + t) * rowSamples
            let w = ky[t]
            for i in 0..<rowSamples { sums[i] &+= Int32(row[i]) &* w }
          }
          let d = dst + y * rowSamples
          for i in 0..<rowSamples { d[i] = clip8(sums[i]) }
        }
      }
      initialized = count
    }
    return Image(uncheckedWidth: width, height: newHeight, channels: channels, pixels: out)
  }
}

/// ½ in 22-bit fixed point: the rounding term every sum starts from.
private let halfUnit = Int32(1 << (ResampleWeights.precisionBits - 1))

/// Runs `body` with base pointers of the four arrays a resampling pass reads.
@inline(__always)
private func withPointers<R>(
  _ pixels: [UInt8], _ kernel: [Int32], _ first: [Int], _ count: [Int],
  _ body: (UnsafePointer<UInt8>, UnsafePointer<Int32>, UnsafePointer<Int>, UnsafePointer<Int>)
    -> R
) -> R? {
  pixels.withUnsafeBufferPointer { p in
    kernel.withUnsafeBufferPointer { k in
      first.withUnsafeBufferPointer { f in
        count.withUnsafeBufferPointer { n in
          guard let p = p.baseAddress, let k = k.baseAddress, let f = f.baseAddress,
            let n = n.baseAddress
          else { return nil }
          return body(p, k, f, n)
        }
      }
    }
  }
}

/// A fixed-point sum back to a sample: shift out the precision, clamp to 0…255.
@inline(__always) func clip8(_ sum: Int32) -> UInt8 {
  let v = sum >> Int32(ResampleWeights.precisionBits)
  return v < 0 ? 0 : (v > 255 ? 255 : UInt8(v))
}

/// Resamples a [H, W] Float plane to [H', W'] with the same weights (no rounding, no clamping).
func resamplePlane(_ values: [Float], width: Int, height: Int, newWidth: Int, newHeight: Int)
  -> [Float]
{
  var plane = values
  var w = width
  if newWidth != width {
    let plan = ResampleWeights(inSize: width, outSize: newWidth)
    let k = plan.weights.map { Float($0) }
    var out = [Float](repeating: 0, count: height * newWidth)
    plane.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for y in 0..<height {
          for x in 0..<newWidth {
            var sum: Float = 0
            let lo = y * width + plan.first[x]
            for t in 0..<plan.count[x] { sum += src[lo + t] * k[x * plan.taps + t] }
            dst[y * newWidth + x] = sum
          }
        }
      }
    }
    plane = out
    w = newWidth
  }
  if newHeight != height {
    let plan = ResampleWeights(inSize: height, outSize: newHeight)
    let k = plan.weights.map { Float($0) }
    var out = [Float](repeating: 0, count: newHeight * w)
    plane.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for y in 0..<newHeight {
          for t in 0..<plan.count[y] {
            let weight = k[y * plan.taps + t]
            let s = (plan.first[y] + t) * w
            for x in 0..<w { dst[y * w + x] += src[s + x] * weight }
          }
        }
      }
    }
    plane = out
  }
  return plane
}
