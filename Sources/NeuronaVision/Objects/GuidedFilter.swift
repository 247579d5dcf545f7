// GuidedFilter: He, Sun and Tang's guided filter with a colour guide — in every window the
// output is a linear function of the guide's RGB, q = a·I + b, fitted to the input by ridge
// regression, so a blurry input map takes on the guide's edges. Box means are running sums,
// O(pixels) whatever the radius. `subsampling` s > 1 is the fast guided filter (He and Sun
// 2015): a and b are fitted on a grid s times coarser and only q = a·I + b runs at full
// resolution, so a 12 MP photo costs about as much as a 0.75 MP one plus one pass over it.
// - Paper: He, Sun, Tang, "Guided Image Filtering", PAMI 2013; He, Sun, arXiv:1505.00996.
// Leaves out: the grey-guide variant (grey guides are used as RGB), weighted or side windows.
import Foundation
import Neurona
import NeuronaImage

/// A colour guided filter. Dimension letters: W, H the guide's size; w, h the fitting grid's.
public struct GuidedFilter: Sendable {
  /// Window radius in guide pixels (the window is (2r+1)²).
  public var radius: Int
  /// Ridge regularisation ε, with the guide in 0…1: colour steps well above √ε are edges.
  public var epsilon: Float
  /// How much coarser the grid is on which a and b are fitted (1: exact guided filter).
  public var subsampling: Int

  /// A filter of window radius `radius` (guide pixels), regularisation `epsilon`, fitted on a
  /// grid `subsampling` times coarser.
  public init(radius: Int, epsilon: Float, subsampling: Int = 1) {
    self.radius = radius
    self.epsilon = epsilon
    self.subsampling = subsampling
  }

  /// `input` (of any size: it is resized to the grid) filtered along `guide`'s edges; the
  /// result has the guide's size, W×H.
  /// - Throws: `ImageError.invalidArgument` for sizes that cannot be resized.
  public func apply(_ input: FloatMap, guide: Image) throws -> FloatMap {
    let (width, height) = (guide.width, guide.height)
    let s = max(1, subsampling)
    let (w, h) = (max(1, (width + s - 1) / s), max(1, (height + s - 1) / s))
    let r = max(1, Int((Double(radius) / Double(s)).rounded()))
    var colour = guide.channels == 3 ? guide : try guide.converted(toChannels: 3)
    let small = (w == width && h == height) ? colour : try colour.resized(width: w, height: h)
    let p = (input.width == w && input.height == h) ? input : try input.resized(width: w, height: h)
    let (a, b) = fit(small.pixels, p.values, width: w, height: h, radius: r)
    if guide.channels != 3 && w == width && h == height { colour = small }
    let output = GuidedFilter.evaluate(
      a, b, gridWidth: w, gridHeight: h, guide: colour.pixels, width: width, height: height)
    return try FloatMap(width: width, height: height, values: output)
  }

  /// The window-mean coefficients on the w×h grid: a [3, h, w] and b [h, w].
  func fit(_ rgb: [UInt8], _ p: [Float], width w: Int, height h: Int, radius r: Int)
    -> (a: [Float], b: [Float])
  {
    let n = w * h
    // [13, h, w]: the means of I (3), p, I·p (3) and the upper triangle of I·Iᵀ (6).
    var stats = [Float](repeating: 0, count: 13 * n)
    let pairs = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    stats.withUnsafeMutableBufferPointer { statsBuffer in
      guard let base = statsBuffer.baseAddress else { return }
      rgb.withUnsafeBufferPointer { pixels in
        p.withUnsafeBufferPointer { input in
          ComputeThreads.parallel(13) { c in
            let plane = base + c * n
            let scale: Float = 1 / 255
            switch c {
            case 0..<3:
              for i in 0..<n { plane[i] = Float(pixels[3 * i + c]) * scale }
            case 3:
              for i in 0..<n { plane[i] = input[i] }
            case 4..<7:
              for i in 0..<n { plane[i] = Float(pixels[3 * i + c - 4]) * scale * input[i] }
            default:
              let (u, v) = pairs[c - 7]
              for i in 0..<n {
                plane[i] = Float(pixels[3 * i + u]) * Float(pixels[3 * i + v]) * (scale * scale)
              }
            }
            BoxMean.apply(plane, width: w, height: h, radius: r)
          }
        }
      }
    }
    // Per grid point: a = (Σ + εU)⁻¹·cov(I, p), b = mean(p) − a·mean(I); then their means.
    var coefficients = [Float](repeating: 0, count: 4 * n)
    let epsilon = Double(self.epsilon)
    stats.withUnsafeBufferPointer { statsBuffer in
      coefficients.withUnsafeMutableBufferPointer { out in
        guard let m = statsBuffer.baseAddress, let o = out.baseAddress else { return }
        let chunks = max(1, min(16, n / 16_384))
        ComputeThreads.parallel(chunks) { chunk in
          for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) {
            let mean = (Double(m[i]), Double(m[n + i]), Double(m[2 * n + i]))
            let meanP = Double(m[3 * n + i])
            let cov = (
              Double(m[4 * n + i]) - mean.0 * meanP, Double(m[5 * n + i]) - mean.1 * meanP,
              Double(m[6 * n + i]) - mean.2 * meanP
            )
            // Σ + εU as [[s0 s1 s2] [s1 s3 s4] [s2 s4 s5]], solved by its cofactors.
            let s0 = Double(m[7 * n + i]) - mean.0 * mean.0 + epsilon
            let s1 = Double(m[8 * n + i]) - mean.0 * mean.1
            let s2 = Double(m[9 * n + i]) - mean.0 * mean.2
            let s3 = Double(m[10 * n + i]) - mean.1 * mean.1 + epsilon
            let s4 = Double(m[11 * n + i]) - mean.1 * mean.2
            let s5 = Double(m[12 * n + i]) - mean.2 * mean.2 + epsilon
            let (c0, c1, c2, c3, c4, c5, determinant) = symmetric3Cofactors(s0, s1, s2, s3, s4, s5)
            let inverseDeterminant = 1 / determinant
            let a0 = (c0 * cov.0 + c1 * cov.1 + c2 * cov.2) * inverseDeterminant
            let a1 = (c1 * cov.0 + c3 * cov.1 + c4 * cov.2) * inverseDeterminant
            let a2 = (c2 * cov.0 + c4 * cov.1 + c5 * cov.2) * inverseDeterminant
            o[i] = Float(a0)
            o[n + i] = Float(a1)
            o[2 * n + i] = Float(a2)
            o[3 * n + i] = Float(meanP - a0 * mean.0 - a1 * mean.1 - a2 * mean.2)
          }
        }
        ComputeThreads.parallel(4) { c in BoxMean.apply(o + c * n, width: w, height: h, radius: r) }
      }
    }
    return (Array(coefficients[0..<(3 * n)]), Array(coefficients[(3 * n)...]))
  }

  /// q = a·I + b at every guide pixel, a and b bilinearly interpolated from the grid
  /// (half-pixel centres), I the guide's RGB in 0…1.
  static func evaluate(
    _ a: [Float], _ b: [Float], gridWidth w: Int, gridHeight h: Int, guide: [UInt8],
    width: Int, height: Int
  ) -> [Float] {
    let n = w * h
    // Per guide column: left grid column and its weight (the same for every row).
    let scaleX = Double(w) / Double(width)
    let columns = (0..<width).map { x -> (Int, Int, Float) in
      let u = max(0, min(Double(w - 1), (Double(x) + 0.5) * scaleX - 0.5))
      let left = min(Int(u), w - 1)
      return (left, min(left + 1, w - 1), Float(u - Double(left)))
    }
    let scaleY = Double(h) / Double(height)
    return [Float](unsafeUninitializedCapacity: width * height) { out, initialized in
      a.withUnsafeBufferPointer { aBuffer in
        b.withUnsafeBufferPointer { bBuffer in
          guide.withUnsafeBufferPointer { pixels in
            columns.withUnsafeBufferPointer { column in
              guard let q = out.baseAddress else { return }
              let chunks = max(1, min(32, height / 16))
              ComputeThreads.parallel(chunks) { chunk in
                for y in (chunk * height / chunks)..<((chunk + 1) * height / chunks) {
                  let v = max(0, min(Double(h - 1), (Double(y) + 0.5) * scaleY - 0.5))
                  let top = min(Int(v), h - 1)
                  let bottom = min(top + 1, h - 1)
                  let fy = Float(v - Double(top))
                  for x in 0..<width {
                    let (left, right, fx) = column[x]
                    let i00 = top * w + left
                    let i01 = top * w + right
                    let i10 = bottom * w + left
                    let i11 = bottom * w + right
                    @inline(__always) func lerp(_ plane: UnsafeBufferPointer<Float>, _ o: Int)
                      -> Float
                    {
                      let upper = plane[o + i00] + (plane[o + i01] - plane[o + i00]) * fx
                      let lower = plane[o + i10] + (plane[o + i11] - plane[o + i10]) * fx
                      return upper + (lower - upper) * fy
                    }
                    let g = 3 * (y * width + x)
                    let scale: Float = 1 / 255
                    q[y * width + x] =
                      lerp(aBuffer, 0) * Float(pixels[g]) * scale + lerp(aBuffer, n)
                      * Float(pixels[g + 1]) * scale + lerp(aBuffer, 2 * n)
                      * Float(pixels[g + 2]) * scale + lerp(bBuffer, 0)
                  }
                }
              }
            }
          }
        }
      }
      initialized = width * height
    }
  }
}

/// Box means over (2r+1)² windows clipped at the borders (each divided by the pixels it
/// covers), by running sums in Double: O(pixels) for any radius.
enum BoxMean {
  /// Replaces the `width × height` plane at `plane` by its box means.
  static func apply(
    _ plane: UnsafeMutablePointer<Float>, width w: Int, height h: Int, radius r: Int
  ) {
    let rowSums = UnsafeMutablePointer<Double>.allocate(capacity: w)
    let rows = UnsafeMutablePointer<Float>.allocate(capacity: w * h)
    defer {
      rowSums.deallocate()
      rows.deallocate()
    }
    // Horizontal: a sliding window along each row → rows.
    for y in 0..<h {
      let src = plane + y * w
      let dst = rows + y * w
      var sum = 0.0
      for x in 0..<min(r, w) { sum += Double(src[x]) }
      for x in 0..<w {
        if x + r < w { sum += Double(src[x + r]) }
        if x - r - 1 >= 0 { sum -= Double(src[x - r - 1]) }
        let count = min(x + r, w - 1) - max(x - r, 0) + 1
        dst[x] = Float(sum / Double(count))
      }
    }
    // Vertical: a running sum of rows → plane.
    rowSums.initialize(repeating: 0, count: w)
    for y in 0..<min(r, h) {
      let row = rows + y * w
      for x in 0..<w { rowSums[x] += Double(row[x]) }
    }
    for y in 0..<h {
      if y + r < h {
        let row = rows + (y + r) * w
        for x in 0..<w { rowSums[x] += Double(row[x]) }
      }
      if y - r - 1 >= 0 {
        let row = rows + (y - r - 1) * w
        for x in 0..<w { rowSums[x] -= Double(row[x]) }
      }
      let count = Double(min(y + r, h - 1) - max(y - r, 0) + 1)
      let dst = plane + y * w
      for x in 0..<w { dst[x] = Float(rowSums[x] / count) }
    }
  }
}
