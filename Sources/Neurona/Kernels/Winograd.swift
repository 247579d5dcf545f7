// Winograd F(2×2, 3×3): a 3×3 stride-1 convolution computed on 2×2 output tiles with 16
// products per tile and channel pair instead of 36 — 2.25× fewer multiply-adds than im2col,
// which is how a convolution on a CPU gets past the sgemm peak (Lavin & Gray, 2015).
//
//   U = G·g·Gᵀ      (each 3×3 filter → 4×4; [16][O][C], once per forward)
//   V = Bᵀ·d·B      (each 4×4 input patch, tiles 2 apart → 4×4; [16][C][T])
//   M[ξ] = U[ξ]·V[ξ] (16 products [O, C] × [C, T])
//   Y = Aᵀ·M·A      (each 4×4 → its 2×2 output tile, then the epilogue)
//
// with G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],
// Aᵀ = [1 1 1 0; 0 1 −1 −1]. The T tiles of a block are consecutive in the batch's tile order
// (image, tile row, tile column), so one block can span images (28×28 Fashion-MNIST) or be
// part of one (256×256 U-Net); blocks are sized so V and M stay in the core's cache.

/// The Winograd F(2×2, 3×3) convolution (see the file header).
enum Winograd {
  /// Whether a convolution of this geometry is computed this way: 3×3, stride 1, enough
  /// channels for the 16 products not to be too thin, and images big enough (or channels
  /// many enough) for the transforms to pay. Measured: on UNetSmall 15–25 % faster than
  /// im2col from 16 input channels on; slower on a 3-channel first layer and on
  /// Fashion-MNIST's 14×14 images.
  static func applies(to g: ConvolutionGeometry, outputs: Int) -> Bool {
    g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.channels >= 16
      && outputs >= 8 && (g.outputArea >= 32 * 32 || g.channels >= 128)
  }

  /// A worker's scratch memory.
  final class Workspace {
    /// V, `[16][C][T]`.
    let input = Neurona.Workspace()
    /// M, `[16][O][T]`.
    let product = Neurona.Workspace()
    /// A padded input row and its even and odd columns (input), or two output rows (output).
    let rows = Neurona.Workspace()
  }

  /// U = G·g·Gᵀ for every filter: `weight` `[O, C, 3, 3]` → `[16][O][C]`.
  static func transformWeights(
    _ weight: UnsafePointer<Float>, outputs: Int, channels: Int,
    into u: UnsafeMutablePointer<Float>
  ) {
    let plane = outputs * channels
    for filter in 0..<plane {
      let g = weight + filter * 9
      // Row `row` of G·g (rows: g0, ½(g0+g1+g2), ½(g0−g1+g2), g2), times Gᵀ → 4 values.
      for row in 0..<4 {
        var (a, b, c) = (Float(0), Float(0), Float(0))
        switch row {
        case 0: (a, b, c) = (g[0], g[1], g[2])
        case 3: (a, b, c) = (g[6], g[7], g[8])
        default:
          let sign: Float = row == 1 ? 1 : -1
          a = 0.5 * (g[0] + sign * g[3] + g[6])
          b = 0.5 * (g[1] + sign * g[4] + g[7])
          c = 0.5 * (g[2] + sign * g[5] + g[8])
        }
        let base = row * 4
        u[(base + 0) * plane + filter] = a
        u[(base + 1) * plane + filter] = 0.5 * (a + b + c)
        u[(base + 2) * plane + filter] = 0.5 * (a - b + c)
        u[(base + 3) * plane + filter] = c
      }
    }
  }

  /// The tile grid of a geometry: rows and columns of 2×2 output tiles per image.
  struct Tiling {
    let rows: Int
    let columns: Int
    var perImage: Int { rows * columns }

    init(_ g: ConvolutionGeometry) {
      rows = (g.outputHeight + 1) / 2
      columns = (g.outputWidth + 1) / 2
    }
  }

  /// A run of tiles within one tile row: image `image`, tile row `row`, columns `columns`,
  /// at `offset` in the block.
  struct Segment {
    var image: Int
    var row: Int
    var columns: Range<Int>
    var offset: Int
  }

  /// The tile-row runs that make up tiles `block` of the batch.
  static func segments(of block: Range<Int>, _ tiling: Tiling) -> [Segment] {
    var segments: [Segment] = []
    var t = block.lowerBound
    while t < block.upperBound {
      let (image, r) = t.quotientAndRemainder(dividingBy: tiling.perImage)
      let (row, first) = r.quotientAndRemainder(dividingBy: tiling.columns)
      let last = Swift.min(tiling.columns, first + (block.upperBound - t))
      segments.append(
        Segment(image: image, row: row, columns: first..<last, offset: t - block.lowerBound))
      t += last - first
    }
    return segments
  }

  /// Computes tiles `block` of the convolution: V, the 16 products, Y through `epilogue`.
  static func computeBlock(
    _ block: Range<Int>, _ g: ConvolutionGeometry, outputs: Int, tiling: Tiling,
    x: UnsafePointer<Float>, u: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
    epilogue: ConvolutionEpilogue, space: Workspace
  ) {
    let (c, o, t) = (g.channels, outputs, block.count)
    let segments = segments(of: block, tiling)
    let v = space.input.reserve(16 * c * t)
    // (8 spare floats: the output transform reads whole vectors of 8 tiles.)
    let m = space.product.reserve(16 * o * t + 8)
    let rowLength = 2 * tiling.columns + 2
    // A padded row and eight half rows (input), or two output rows (output).
    let rows = space.rows.reserve(rowLength + 8 * (tiling.columns + 1))
    for segment in segments {
      transformInput(segment, g, x, tiles: t, rowLength: rowLength, rows: rows, into: v)
    }
    for xi in 0..<16 {
      GEMM.multiply(
        u + xi * o * c, v + xi * c * t, into: m + xi * o * t, m: o, n: t, k: c)
    }
    for segment in segments {
      transformOutput(segment, g, outputs: o, m, tiles: t, epilogue, into: y, scratch: rows)
    }
  }

  /// V = Bᵀ·d·B for the tiles of `segment`, every channel, into `v` `[16][C][T]`.
  ///
  /// Each of the tile row's four input rows is split into its even and odd columns (tile j
  /// starts at column 2j), so that every step after is a contiguous, vectorised sweep.
  private static func transformInput(
    _ segment: Segment, _ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, tiles: Int,
    rowLength: Int, rows: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>
  ) {
    let (c, h, w) = (g.channels, g.height, g.width)
    let (first, last) = (segment.columns.lowerBound, segment.columns.upperBound)
    let count = last - first
    let padded = rows  // one padded input row, columns 2·first ..< 2·last + 2
    // even[k], odd[k]: columns 2j and 2j + 1 of input row k, j = first ... last (count + 1).
    let half = count + 1
    let even = rows + rowLength
    let odd = even + 4 * half
    let plane = c * tiles
    for channel in 0..<c {
      let image = x + (segment.image * c + channel) * h * w
      for k in 0..<4 {
        let inputRow = 2 * segment.row + k - g.padTop
        let (e, o) = (even + k * half, odd + k * half)
        if inputRow < 0 || inputRow >= h {
          e.update(repeating: 0, count: half)
          o.update(repeating: 0, count: half)
          continue
        }
        // Zeros left and right of the image, the row itself in between.
        let (lo, hi) = (2 * first, 2 * last + 2)
        let (inside, end) = (Swift.max(lo, g.padLeft), Swift.min(hi, w + g.padLeft))
        for column in lo..<Swift.min(inside, hi) { padded[column - lo] = 0 }
        if end > inside {
          (padded + inside - lo).update(
            from: image + inputRow * w + inside - g.padLeft, count: end - inside)
        }
        for column in Swift.max(end, lo)..<hi { padded[column - lo] = 0 }
        var j = 0
        while j &+ 8 <= half {
          let pair = UnsafeRawPointer(padded + 2 &* j).loadUnaligned(as: SIMD16<Float>.self)
          store8(pair.evenHalf, e + j)
          store8(pair.oddHalf, o + j)
          j &+= 8
        }
        while j < half {
          e[j] = padded[2 &* j]
          o[j] = padded[2 &* j &+ 1]
          j &+= 1
        }
      }
      // Bᵀ·d by rows: r0 = d0 − d2, r1 = d1 + d2, r2 = d2 − d1, r3 = d1 − d3; then ·B per
      // tile from each combined row's values at 2j … 2j + 3 = (e[j], o[j], e[j+1], o[j+1]):
      // (e[j] − e[j+1], o[j] + e[j+1], e[j+1] − o[j], o[j] − o[j+1]).
      let out = v + channel * tiles + segment.offset
      for row in 0..<4 {
        let (a, b, sign): (Int, Int, Float) =
          switch row {
          case 0: (0, 2, -1)
          case 1: (1, 2, 1)
          case 2: (2, 1, -1)
          default: (1, 3, -1)
          }
        let (ea, eb, oa, ob) = (even + a * half, even + b * half, odd + a * half, odd + b * half)
        let (v0, v1, v2, v3) = (
          out + 4 * row * plane, out + (4 * row + 1) * plane, out + (4 * row + 2) * plane,
          out + (4 * row + 3) * plane
        )
        var j = 0
        let s8 = SIMD8<Float>(repeating: sign)
        while j &+ 8 <= count {
          let e0 = load8(ea + j) + s8 * load8(eb + j)
          let e1 = load8(ea + j + 1) + s8 * load8(eb + j + 1)
          let o0 = load8(oa + j) + s8 * load8(ob + j)
          let o1 = load8(oa + j + 1) + s8 * load8(ob + j + 1)
          store8(e0 - e1, v0 + j)
          store8(o0 + e1, v1 + j)
          store8(e1 - o0, v2 + j)
          store8(o0 - o1, v3 + j)
          j &+= 8
        }
        while j < count {
          let e0 = ea[j] + sign * eb[j], e1 = ea[j + 1] + sign * eb[j + 1]
          let o0 = oa[j] + sign * ob[j], o1 = oa[j + 1] + sign * ob[j + 1]
          v0[j] = e0 - e1
          v1[j] = o0 + e1
          v2[j] = e1 - o0
          v3[j] = o0 - o1
          j &+= 1
        }
      }
    }
  }

  /// Y = Aᵀ·M·A for the tiles of `segment`, every output channel, through `epilogue`, into
  /// `y` `[N, O, H', W']` (tiles past an odd edge write only their inside half).
  private static func transformOutput(
    _ segment: Segment, _ g: ConvolutionGeometry, outputs o: Int, _ m: UnsafePointer<Float>,
    tiles: Int, _ epilogue: ConvolutionEpilogue, into y: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let (outH, outW) = (g.outputHeight, g.outputWidth)
    let plane = o * tiles
    let top = 2 * segment.row
    let count = segment.columns.count
    let left = 2 * segment.columns.lowerBound
    // The tile row's two output rows, whole tiles (2·count wide), before cropping.
    let (row0, row1) = (scratch, scratch + 2 * count)
    let width = Swift.min(2 * count, outW - left)
    for channel in 0..<o {
      let scale = SIMD8<Float>(repeating: epilogue.scale?[channel] ?? 1)
      let shift = SIMD8<Float>(repeating: epilogue.shift?[channel] ?? 0)
      let floor = SIMD8<Float>(repeating: epilogue.rectifies ? 0 : -.infinity)
      let source = m + channel * tiles + segment.offset
      @inline(__always) func finish(_ value: SIMD8<Float>) -> SIMD8<Float> {
        (value * scale + shift).replacing(with: floor, where: value * scale + shift .< floor)
      }
      var j = 0
      while j < count {
        // Eight tiles at a time; the last group overlaps the one before (or is padded by
        // the block's spare columns: M has T ≥ 8 columns past `offset` only when T allows).
        let at = Swift.min(j, Swift.max(0, count - 8))
        let lanes = Swift.min(8, count)
        @inline(__always) func s(_ xi: Int) -> SIMD8<Float> { load8(source + xi * plane + at) }
        let u00 = s(0) + s(4) + s(8), u01 = s(1) + s(5) + s(9)
        let u02 = s(2) + s(6) + s(10), u03 = s(3) + s(7) + s(11)
        let u10 = s(4) - s(8) - s(12), u11 = s(5) - s(9) - s(13)
        let u12 = s(6) - s(10) - s(14), u13 = s(7) - s(11) - s(15)
        let (y00, y01) = (finish(u00 + u01 + u02), finish(u01 - u02 - u03))
        let (y10, y11) = (finish(u10 + u11 + u12), finish(u11 - u12 - u13))
        if lanes == 8 {
          var pair = SIMD16<Float>()
          pair.evenHalf = y00
          pair.oddHalf = y01
          UnsafeMutableRawPointer(row0 + 2 * at).storeBytes(of: pair, as: SIMD16<Float>.self)
          pair.evenHalf = y10
          pair.oddHalf = y11
          UnsafeMutableRawPointer(row1 + 2 * at).storeBytes(of: pair, as: SIMD16<Float>.self)
        } else {
          for l in 0..<lanes {
            row0[2 * (at + l)] = y00[l]
            row0[2 * (at + l) + 1] = y01[l]
            row1[2 * (at + l)] = y10[l]
            row1[2 * (at + l) + 1] = y11[l]
          }
        }
        j = at + 8
      }
      let output = y + (segment.image * o + channel) * outH * outW + top * outW + left
      output.update(from: row0, count: width)
      if top + 1 < outH { (output + outW).update(from: row1, count: width) }
    }
  }
}

@inline(__always) private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) private func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) private func store8(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
}
