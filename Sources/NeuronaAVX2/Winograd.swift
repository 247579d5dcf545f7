// Winograd F(4×4, 3×3): a 3×3 stride-1 convolution computed on 4×4 output tiles with 36
// products per tile and channel pair instead of 144 — 4× fewer multiply-adds than im2col,
// which is how a convolution on a CPU gets past the sgemm peak (Lavin & Gray, 2015).
//
//   U = G·g·Gᵀ      (each 3×3 filter → 6×6; [36][O][C] in panels, once per weight change)
//   V = Bᵀ·d·B      (each 6×6 input patch, tiles 4 apart → 6×6; [36][C][T])
//   M[ξ] = U[ξ]·V[ξ] (36 products [O, C] × [C, T], Products.swift)
//   Y = Aᵀ·M·A      (each 6×6 → its 4×4 output tile, then the epilogue)
//
// with the interpolation points 0, −1, 1, ½, −2 (the 1-D transforms below; each 2-D one
// applies its 1-D form along rows, then columns). These points, rather than the usual
// 0, ±1, ±2, halve the float32 rounding error (Barabasz et al., "Error analysis and improving
// the accuracy of Winograd convolution", 2020): about 7× im2col's on unit-sized data, and the
// tests hold the result to im2col's within 1e-4. Against F(2×2, 3×3) it also moves fewer
// floats: V and M hold 36/16 = 2.25 values per output pixel instead of 16/4 = 4.
//
// The T tiles of a block are consecutive in the batch's tile order (image, tile row, tile
// column), so one block can span images or be part of one; the caller sizes blocks so V and
// M stay in the core's cache, and shares them between its threads.
//
// This module is compiled for AVX2 and FMA (Package.swift): Neurona calls it only once it
// has seen both in the CPU's flags, and computes the convolution by im2col otherwise.
import NeuronaKernels

/// The Winograd F(4×4, 3×3) convolution (see the file header).
public enum Winograd {
  /// Output pixels per tile side, and input pixels per tile side (tile + 2).
  public static let tile = 4, patch = 6
  /// Products per tile: one per point of the 6×6 transformed patch.
  public static let points = 36

  /// A 3×3 stride-1 convolution: the input's C, H, W, its zero rows above and columns to
  /// the left, and the output's H', W'.
  public struct Geometry: Sendable {
    public var channels, height, width, padTop, padLeft, outputHeight, outputWidth: Int

    public init(
      channels: Int, height: Int, width: Int, padTop: Int, padLeft: Int, outputHeight: Int,
      outputWidth: Int
    ) {
      (self.channels, self.height, self.width) = (channels, height, width)
      (self.padTop, self.padLeft) = (padTop, padLeft)
      (self.outputHeight, self.outputWidth) = (outputHeight, outputWidth)
    }
  }

  /// What happens to each output channel after the product: y ← max(0, y·scale + shift)
  /// (nil scale: 1, nil shift: 0; the max only when `rectifies`).
  public struct Epilogue {
    public var scale: [Float]?
    public var shift: [Float]?
    public var rectifies: Bool

    public init(scale: [Float]?, shift: [Float]?, rectifies: Bool) {
      (self.scale, self.shift, self.rectifies) = (scale, shift, rectifies)
    }
  }

  /// Floats of the transformed filters of `outputs` × `channels` 3×3 filters.
  public static func weightCount(outputs: Int, channels: Int) -> Int {
    points * Products.pointStride(outputs: outputs, channels: channels) + 8
  }

  /// U = G·g·Gᵀ for every filter: `weight` `[O, C, 3, 3]` → `weightCount` floats: for each
  /// of the 36 points, its `[O, C]` matrix laid out for PackedProduct (Products.swift).
  public static func transformWeights(
    _ weight: UnsafePointer<Float>, outputs: Int, channels: Int,
    into u: UnsafeMutablePointer<Float>
  ) {
    let plane = outputs * channels
    // G·(g0, g1, g2): the filter's values at the interpolation points, over their spreads.
    func interpolate(_ g0: Double, _ g1: Double, _ g2: Double) -> [Double] {
      [
        g0, (-g0 + g1 - g2) / 3, (g0 + g1 + g2) / 3, -(16 * g0 + 8 * g1 + 4 * g2) / 15,
        (g0 - 2 * g1 + 4 * g2) / 15, g2,
      ]
    }
    // [36][O, C] first, then each point's matrix into panels.
    var matrices = [Float](repeating: 0, count: points * plane)
    for filter in 0..<plane {
      let g = (0..<9).map { Double(weight[filter * 9 + $0]) }
      // G·g: six rows of three, one column of g at a time; then each row times Gᵀ.
      let columns = (0..<3).map { interpolate(g[$0], g[3 + $0], g[6 + $0]) }
      for row in 0..<patch {
        let values = interpolate(columns[0][row], columns[1][row], columns[2][row])
        for column in 0..<patch {
          matrices[(row * patch + column) * plane + filter] = Float(values[column])
        }
      }
    }
    let stride = Products.pointStride(outputs: outputs, channels: channels)
    matrices.withUnsafeBufferPointer { matrices in
      for xi in 0..<points {
        PackedProduct.pack(
          matrices.baseAddress! + xi * plane, rows: outputs, depth: channels,
          into: u + xi * stride)
      }
    }
  }

  /// The tile grid of a geometry: rows and columns of 4×4 output tiles per image.
  public struct Tiling {
    public let rows: Int
    public let columns: Int
    public var perImage: Int { rows * columns }

    public init(_ g: Geometry) {
      rows = ceilDivide(g.outputHeight, Winograd.tile)
      columns = ceilDivide(g.outputWidth, Winograd.tile)
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

  /// The floats of scratch memory a worker needs for a block of `tiles` tiles: V, M (with
  /// 8 spare floats: the output transform reads whole vectors of 8 tiles), and rows — the
  /// input transform's six combined rows, a row of zeros and one row split by phase; or the
  /// output transform's 40 vectors between its passes.
  public static func scratch(_ g: Geometry, outputs: Int, tiles: Int) -> (
    input: Int, product: Int, rows: Int
  ) {
    let stride = Products.columns(tiles)
    return (
      points * g.channels * stride, points * Products.rows(outputs) * stride + 8,
      Swift.max(8 * rowSpan(tiles: Tiling(g).columns), 40 * 8)
    )
  }
  /// Floats of one column phase of an input row for `tiles` tiles (tile j reads phases 0
  /// and 1 at j + 1 too), in whole vectors.
  private static func phaseLength(tiles: Int) -> Int { roundUp(tiles + 1, 8) }

  /// Floats of an input row for `tiles` tiles: its four phases.
  private static func rowSpan(tiles: Int) -> Int { 4 * phaseLength(tiles: tiles) }

  /// Computes tiles `block` of the batch's convolution — V, the 36 products, Y through
  /// `epilogue` — from the input `x` `[N, C, H, W]` and the transformed filters `u` into `y`
  /// `[N, O, H', W']`, with the scratch memory `scratch` asks for; the 36 products by
  /// `multiply` (this module's `PackedProduct.product` or a wider one).
  public static func computeBlock(
    _ block: Range<Int>, _ g: Geometry, outputs: Int, x: UnsafePointer<Float>,
    u: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, epilogue: Epilogue,
    input v: UnsafeMutablePointer<Float>, product m: UnsafeMutablePointer<Float>,
    rows: UnsafeMutablePointer<Float>, multiply: PackedMultiply = PackedProduct.product
  ) {
    let segments = segments(of: block, Tiling(g))
    // Rows of V and M hold `stride` tiles; M has `Products.rows(O)` rows per point.
    let stride = Products.columns(block.count)
    for segment in segments {
      transformInput(segment, g, x, tiles: stride, rows: rows, into: v)
    }
    Products.multiply(
      u, v, into: m, outputs: outputs, channels: g.channels, tiles: stride, product: multiply)
    for segment in segments {
      transformOutput(
        segment, g, outputs: outputs, m, tiles: stride, epilogue, into: y, scratch: rows)
    }
  }

  /// V = Bᵀ·d·B for the tiles of `segment`, every channel, into `v` `[36][C][T]`.
  ///
  /// Bᵀ first combines the tile row's six input rows, straight from the image, into six
  /// rows; then B runs along each combined row, eight tiles at a time, every step a
  /// contiguous vectorised sweep.
  private static func transformInput(
    _ segment: Segment, _ g: Geometry, _ x: UnsafePointer<Float>, tiles: Int,
    rows: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>
  ) {
    let (c, h, w) = (g.channels, g.height, g.width)
    let count = segment.columns.count
    let (phase, span) = (phaseLength(tiles: count), rowSpan(tiles: count))
    let (combined, zeros, phases) = (rows, rows + patch * span, rows + (patch + 1) * span)
    // Column q of a combined row is image column `left + q`; those inside are `inside`.
    let left = tile * segment.columns.lowerBound - g.padLeft
    let start = Swift.max(0, -left)
    let inside = start..<Swift.max(start, Swift.min(span, w - left))
    // Outside the image every combination is of zeros.
    zeros.update(repeating: 0, count: span)
    for r in 0..<patch {
      (combined + r * span).update(repeating: 0, count: inside.lowerBound)
      (combined + r * span + inside.upperBound).update(
        repeating: 0, count: span - inside.upperBound)
    }
    let plane = c * tiles
    for channel in 0..<c {
      let image = x + (segment.image * c + channel) * h * w
      // The six input rows from column `left` (a row above or below the image: zeros).
      @inline(__always) func input(_ k: Int) -> UnsafePointer<Float> {
        let row = tile &* segment.row &+ k &- g.padTop
        return row >= 0 && row < h ? image + (row &* w &+ left) : UnsafePointer(zeros)
      }
      let (i0, i1, i2, i3, i4, i5) = (input(0), input(1), input(2), input(3), input(4), input(5))
      var q = inside.lowerBound
      while q &+ 8 <= inside.upperBound {
        let values = inputTransform(
          load8(i0 + q), load8(i1 + q), load8(i2 + q), load8(i3 + q), load8(i4 + q),
          load8(i5 + q))
        store(values, combined + q, stride: span)
        q &+= 8
      }
      if q < inside.upperBound {
        let lanes = inside.upperBound - q
        let values = inputTransform(
          load8(i0 + q, lanes: lanes), load8(i1 + q, lanes: lanes), load8(i2 + q, lanes: lanes),
          load8(i3 + q, lanes: lanes), load8(i4 + q, lanes: lanes), load8(i5 + q, lanes: lanes))
        store(values, combined + q, stride: span, lanes: lanes)
      }
      // ·B along each combined row: split it by column phase (mod 4), then tile j's six
      // columns are phases 0–3 at j and phases 0–1 at j + 1, all plain vector loads.
      let out = v + channel * tiles + segment.offset
      for r in 0..<patch {
        let row = combined + r * span
        var j = 0
        while j < phase {
          let quad = UnsafeRawPointer(row + 4 &* j).loadUnaligned(as: SIMD32<Float>.self)
          let (even, odd) = (quad.evenHalf, quad.oddHalf)
          store8(even.evenHalf, phases + j)
          store8(odd.evenHalf, phases + (phase &+ j))
          store8(even.oddHalf, phases + (2 &* phase &+ j))
          store8(odd.oddHalf, phases + (3 &* phase &+ j))
          j &+= 8
        }
        let target = out + r * patch * plane
        let (p0, p1, p2, p3) = (phases, phases + phase, phases + 2 * phase, phases + 3 * phase)
        j = 0
        while j < count {
          let values = inputTransform(
            load8(p0 + j), load8(p1 + j), load8(p2 + j), load8(p3 + j), load8(p0 + (j &+ 1)),
            load8(p1 + (j &+ 1)))
          if j &+ 8 <= count {
            store(values, target + j, stride: plane)
          } else {
            store(values, target + j, stride: plane, lanes: count - j)
          }
          j &+= 8
        }
      }
    }
  }

  /// Stores six vectors `stride` apart from `p`.
  @inline(__always)
  private static func store(
    _ values: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
    _ p: UnsafeMutablePointer<Float>, stride: Int
  ) {
    store8(values.0, p)
    store8(values.1, p + stride)
    store8(values.2, p + 2 &* stride)
    store8(values.3, p + 3 &* stride)
    store8(values.4, p + 4 &* stride)
    store8(values.5, p + 5 &* stride)
  }

  /// Stores the first `lanes` lanes of six vectors `stride` apart from `p`.
  @inline(never)
  private static func store(
    _ values: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
    _ p: UnsafeMutablePointer<Float>, stride: Int, lanes: Int
  ) {
    store8(values.0, p, lanes: lanes)
    store8(values.1, p + stride, lanes: lanes)
    store8(values.2, p + 2 &* stride, lanes: lanes)
    store8(values.3, p + 3 &* stride, lanes: lanes)
    store8(values.4, p + 4 &* stride, lanes: lanes)
    store8(values.5, p + 5 &* stride, lanes: lanes)
  }

  /// Y = Aᵀ·M·A for the tiles of `segment`, every output channel, through `epilogue`, into
  /// `y` `[N, O, H', W']` (tiles past the edge write only their inside part).
  private static func transformOutput(
    _ segment: Segment, _ g: Geometry, outputs o: Int, _ m: UnsafePointer<Float>,
    tiles: Int, _ epilogue: Epilogue, into y: UnsafeMutablePointer<Float>,
    scratch along: UnsafeMutablePointer<Float>
  ) {
    let (outH, outW) = (g.outputHeight, g.outputWidth)
    let plane = Products.rows(o) * tiles
    let (top, left) = (tile * segment.row, tile * segment.columns.lowerBound)
    let count = segment.columns.count
    // The tile row's output columns and rows inside the image.
    let (width, height) = (Swift.min(tile * count, outW - left), Swift.min(tile, outH - top))
    for channel in 0..<o {
      let scale = SIMD8<Float>(repeating: epilogue.scale?[channel] ?? 1)
      let shift = SIMD8<Float>(repeating: epilogue.shift?[channel] ?? 0)
      let floor = SIMD8<Float>(repeating: epilogue.rectifies ? 0 : -.infinity)
      let source = m + channel * tiles + segment.offset
      let output = y + (segment.image * o + channel) * outH * outW + top * outW + left
      @inline(__always) func finish(_ value: SIMD8<Float>) -> SIMD8<Float> {
        let affine = value * scale + shift
        return affine.replacing(with: floor, where: affine .< floor)
      }
      var j = 0
      while j < count {
        // Eight tiles at a time; the last group overlaps the one before (or is padded by
        // the block's spare columns: M has T ≥ 8 columns past `offset` only when T allows).
        let at = Swift.min(j, Swift.max(0, count - 8))
        let lanes = Swift.min(8, count)
        // z[r][q] = (Aᵀ · row r of M)[q], kept in `along` as vector 4r + q.
        for r in 0..<patch {
          @inline(__always) func s(_ column: Int) -> SIMD8<Float> {
            load8(source + ((r &* patch &+ column) &* plane &+ at))
          }
          let (z0, z1, z2, z3) = outputTransform(s(0), s(1), s(2), s(3), s(4), s(5))
          store8(z0, along + 32 &* r)
          store8(z1, along + (32 &* r &+ 8))
          store8(z2, along + (32 &* r &+ 16))
          store8(z3, along + (32 &* r &+ 24))
        }
        // y[i][q] = (Aᵀ · column q of z)[i], kept after z as vector 24 + 4i + q.
        for q in 0..<tile {
          @inline(__always) func z(_ r: Int) -> SIMD8<Float> { load8(along + (32 &* r &+ 8 &* q)) }
          let values = outputTransform(z(0), z(1), z(2), z(3), z(4), z(5))
          store8(finish(values.0), along + (192 &+ 8 &* q))
          store8(finish(values.1), along + (224 &+ 8 &* q))
          store8(finish(values.2), along + (256 &+ 8 &* q))
          store8(finish(values.3), along + (288 &+ 8 &* q))
        }
        // Output row i of the eight tiles: their four columns each, interleaved.
        let whole = lanes == 8 && tile * (at + 8) <= width
        for i in 0..<height {
          @inline(__always) func column(_ q: Int) -> SIMD8<Float> {
            load8(along + (192 &+ 32 &* i &+ 8 &* q))
          }
          let target = output + i * outW + tile * at
          if whole {
            var quad = SIMD32<Float>()
            var pair = SIMD16<Float>()
            pair.evenHalf = column(0)
            pair.oddHalf = column(2)
            quad.evenHalf = pair
            pair.evenHalf = column(1)
            pair.oddHalf = column(3)
            quad.oddHalf = pair
            UnsafeMutableRawPointer(target).storeBytes(of: quad, as: SIMD32<Float>.self)
          } else {
            for q in 0..<tile {
              let values = column(q)
              for l in 0..<lanes where tile * (at + l) + q < width {
                target[tile * l + q] = values[l]
              }
            }
          }
        }
        j = at + 8
      }
    }
  }

  /// Bᵀ·(d0 … d5): a tile side's six transformed values from its six inputs.
  @inline(__always)
  private static func inputTransform(
    _ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>, _ d3: SIMD8<Float>,
    _ d4: SIMD8<Float>, _ d5: SIMD8<Float>
  ) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
    let (q, e) = (d3 - d1, d4 - d2)
    return (
      d0 + (e - d2) + 1.5 * q, d4 + d1 - 2.5 * d2 + 0.5 * d3, d4 - d1 + 0.5 * d2 + 2.5 * d3,
      e + 2 * q, e - 0.5 * q, d5 + (d1 - 2 * d3) + 1.5 * e
    )
  }

  /// Aᵀ·(m0 … m5): the four outputs of a tile side from its six transformed values.
  @inline(__always)
  private static func outputTransform(
    _ m0: SIMD8<Float>, _ m1: SIMD8<Float>, _ m2: SIMD8<Float>, _ m3: SIMD8<Float>,
    _ m4: SIMD8<Float>, _ m5: SIMD8<Float>
  ) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
    let (sum, difference) = (m1 + m2, m2 - m1)
    return (
      m0 + sum + m3 + m4, difference + 0.5 * m3 - 2 * m4, sum + 0.25 * m3 + 4 * m4,
      difference + 0.125 * m3 - 8 * m4 + m5
    )
  }
}
