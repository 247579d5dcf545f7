// im2col and col2im: unfold every kH×kW window of an image into a column of a matrix, so that
// a convolution becomes one sgemm, and fold column gradients back into the image (adding where
// windows overlap). Padding is implicit: positions outside the image read as zero and are
// never written. Deliberately left out: dilation and groups (no model here uses them).
//
// C = channels, H×W = image size, kH×kW = kernel, s = stride, H'×W' = output size,
// K = C·kH·kW (rows of the column matrix), P = H'·W' (columns per image). The geometry itself
// is Layers/Convolution/ConvolutionGeometry.swift.

/// The unfold/fold kernels of convolution by matrix product.
public enum Im2Col {
  /// Writes the windows of `image` `[C, H, W]` as columns: row `(c, i, j)`, column `y·W' + x`
  /// holds `image[c, y·s − padTop + i, x·s − padLeft + j]` (zero outside the image).
  ///
  /// `columns` is `[K, rowStride]`; this image fills columns `0..<P` of each row, so several
  /// images can sit side by side in one matrix (pass `columns + g·P`, `rowStride` = G·P).
  /// With `outputRows`, only that band of output rows y is unfolded, into columns
  /// `0..<(band height · W')` (a big image in cache-sized pieces).
  public static func unfold(
    _ image: UnsafePointer<Float>, _ geometry: ConvolutionGeometry,
    into columns: UnsafeMutablePointer<Float>, rowStride: Int, outputRows: Range<Int>? = nil
  ) {
    let g = geometry
    let (outW, s) = (g.outputWidth, g.stride)
    let band = outputRows ?? 0..<g.outputHeight
    var row = 0
    for c in 0..<g.channels {
      let plane = image + c * g.imageArea
      for i in 0..<g.kernelHeight {
        for j in 0..<g.kernelWidth {
          let destination = columns + row * rowStride
          let offsetX = j - g.padLeft
          let (lo, hi) = g.validRange(offset: offsetX, extent: g.width, count: outW)
          for y in band {
            let line = destination + (y - band.lowerBound) * outW
            let inputY = y * s - g.padTop + i
            guard inputY >= 0 && inputY < g.height else {
              line.update(repeating: 0, count: outW)
              continue
            }
            if lo > 0 { line.update(repeating: 0, count: lo) }
            if hi < outW { (line + hi).update(repeating: 0, count: outW - hi) }
            guard lo < hi else { continue }
            let source = plane + inputY * g.width + lo * s + offsetX
            if s == 1 {
              (line + lo).update(from: source, count: hi - lo)
            } else {
              StridedCopy.gather(source, stride: s, into: line + lo, count: hi - lo)
            }
          }
          row += 1
        }
      }
    }
  }

  /// The adjoint of `unfold`: adds (`+=`) every column entry back into the image position it
  /// was read from; entries that came from padding are dropped.
  ///
  /// `columns` is `[K, rowStride]` with this image in columns `0..<P` (or the band of output
  /// rows `outputRows`, as in `unfold`); `image` is `[C, H, W]` and is accumulated into.
  public static func fold(
    _ columns: UnsafePointer<Float>, rowStride: Int, _ geometry: ConvolutionGeometry,
    into image: UnsafeMutablePointer<Float>, outputRows: Range<Int>? = nil
  ) {
    let g = geometry
    let (outW, s) = (g.outputWidth, g.stride)
    let band = outputRows ?? 0..<g.outputHeight
    var row = 0
    for c in 0..<g.channels {
      let plane = image + c * g.imageArea
      for i in 0..<g.kernelHeight {
        for j in 0..<g.kernelWidth {
          let source = columns + row * rowStride
          let offsetX = j - g.padLeft
          let (lo, hi) = g.validRange(offset: offsetX, extent: g.width, count: outW)
          if lo < hi {
            for y in band {
              let inputY = y * s - g.padTop + i
              guard inputY >= 0 && inputY < g.height else { continue }
              let line = source + (y - band.lowerBound) * outW + lo
              let target = plane + inputY * g.width + lo * s + offsetX
              if s == 1 {
                for x in 0..<(hi - lo) { target[x] += line[x] }
              } else {
                for x in 0..<(hi - lo) { target[x * s] += line[x] }
              }
            }
          }
          row += 1
        }
      }
    }
  }
}
