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
// The transforms are written once, generic over the vector `V` (8 tiles at a time in
// SIMD8<Float>, 16 in SIMD16<Float>) and @inlinable: NeuronaAVX2 and NeuronaAVX512 each
// instantiate `computeBlock` for their instruction set (WinogradBlock.swift there), and
// Neurona calls one of them once CPUFeatures has seen it is safe; im2col otherwise. The
// filter transform and the layouts run at the baseline, once per change of the weights.

/// The Winograd F(4×4, 3×3) convolution (see the file header).
public enum Winograd {
  /// Output pixels per tile side, and input pixels per tile side (tile + 2).
  public static var tile: Int { 4 }
  public static var patch: Int { 6 }
  /// Products per tile: one per point of the 6×6 transformed patch.
  public static var points: Int { 36 }
  /// The widest vector a kernel instantiates (floats): scratch sizes allow for it.
  public static var widestVector: Int { 16 }

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
    // G·(g0, g1, g2): the filter's values at the interpolation points, over their spreads,
    // into six doubles at `p`. (Run for every filter at every training step: no arrays.)
    func interpolate(_ g0: Double, _ g1: Double, _ g2: Double, into p: UnsafeMutablePointer<Double>)
    {
      p[0] = g0
      p[1] = (-g0 + g1 - g2) / 3
      p[2] = (g0 + g1 + g2) / 3
      p[3] = -(16 * g0 + 8 * g1 + 4 * g2) / 15
      p[4] = (g0 - 2 * g1 + 4 * g2) / 15
      p[5] = g2
    }
    // [36][O, C] first (every float written), then each point's matrix into panels.
    let matrices = [Float](unsafeUninitializedCapacity: points * plane) { matrices, count in
      withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 * patch) { scratch in
        let (columns, values) = (scratch.baseAddress!, scratch.baseAddress! + 3 * patch)
        for filter in 0..<plane {
          let g = weight + filter * 9
          // G·g: six rows of three, one column of g at a time; then each row times Gᵀ.
          for j in 0..<3 {
            interpolate(Double(g[j]), Double(g[3 + j]), Double(g[6 + j]), into: columns + j * patch)
          }
          for row in 0..<patch {
            interpolate(
              columns[row], columns[patch + row], columns[2 * patch + row], into: values)
            for column in 0..<patch {
              matrices[(row * patch + column) * plane + filter] = Float(values[column])
            }
          }
        }
      }
      count = points * plane
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

    @inlinable
    public init(_ g: Geometry) {
      rows = ceilDivide(g.outputHeight, Winograd.tile)
      columns = ceilDivide(g.outputWidth, Winograd.tile)
    }
  }

  /// A run of tiles within one tile row: image `image`, tile row `row`, columns `columns`,
  /// at `offset` in the block.
  @usableFromInline
  struct Segment {
    @usableFromInline var image: Int
    @usableFromInline var row: Int
    @usableFromInline var columns: Range<Int>
    @usableFromInline var offset: Int

    @inlinable
    init(image: Int, row: Int, columns: Range<Int>, offset: Int) {
      (self.image, self.row, self.columns, self.offset) = (image, row, columns, offset)
    }
  }

  /// The tile-row runs that make up tiles `block` of the batch.
  @inlinable
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

  /// The floats of scratch memory a worker needs for a block of `tiles` tiles, at any vector
  /// width: V, M (with a vector of spare floats: the output transform reads whole vectors of
  /// tiles), and rows — the input transform's six combined rows, a row of zeros and one row
  /// split by phase; or the output transform's 40 vectors between its passes.
  public static func scratch(_ g: Geometry, outputs: Int, tiles: Int) -> (
    input: Int, product: Int, rows: Int
  ) {
    let stride = Products.columns(tiles)
    return (
      points * g.channels * stride, points * Products.rows(outputs) * stride + widestVector,
      Swift.max(8 * rowSpan(tiles: Tiling(g).columns, lanes: widestVector), 40 * widestVector)
    )
  }
  /// Floats of one column phase of an input row for `tiles` tiles (tile j reads phases 0
  /// and 1 at j + 1 too), in whole vectors of `lanes`.
  @inlinable
  static func phaseLength(tiles: Int, lanes: Int) -> Int { roundUp(tiles + 1, lanes) }

  /// Floats of an input row for `tiles` tiles: its four phases.
  @inlinable
  static func rowSpan(tiles: Int, lanes: Int) -> Int { 4 * phaseLength(tiles: tiles, lanes: lanes) }

  /// Computes tiles `block` of the batch's convolution — V, the 36 products, Y through
  /// `epilogue` — from the input `x` `[N, C, H, W]` and the transformed filters `u` into `y`
  /// `[N, O, H', W']`, with the scratch memory `scratch` asks for; the 36 products by
  /// `multiply` (the packed product of the same instruction set), in vectors `V`.
  @inlinable
  public static func computeBlock<V: WinogradVector>(
    _: V.Type, _ block: Range<Int>, _ g: Geometry, outputs: Int, x: UnsafePointer<Float>,
    u: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, epilogue: Epilogue,
    input v: UnsafeMutablePointer<Float>, product m: UnsafeMutablePointer<Float>,
    rows: UnsafeMutablePointer<Float>, multiply: PackedMultiply
  ) {
    let segments = segments(of: block, Tiling(g))
    // Rows of V and M hold `stride` tiles; M has `Products.rows(O)` rows per point.
    let stride = Products.columns(block.count)
    for segment in segments {
      transformInput(V.self, segment, g, x, tiles: stride, rows: rows, into: v)
    }
    Products.multiply(
      u, v, into: m, outputs: outputs, channels: g.channels, tiles: stride, product: multiply)
    for segment in segments {
      transformOutput(
        V.self, segment, g, outputs: outputs, m, tiles: stride, epilogue, into: y, scratch: rows)
    }
  }

  /// V = Bᵀ·d·B for the tiles of `segment`, every channel, into `v` `[36][C][T]`.
  ///
  /// Bᵀ first combines the tile row's six input rows, straight from the image, into six
  /// rows; then B runs along each combined row, eight tiles at a time, every step a
  /// contiguous vectorised sweep.
  @inlinable
  static func transformInput<V: WinogradVector>(
    _: V.Type, _ segment: Segment, _ g: Geometry, _ x: UnsafePointer<Float>, tiles: Int,
    rows: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>
  ) {
    let (c, h, w) = (g.channels, g.height, g.width)
    let count = segment.columns.count
    let lanes = V.scalarCount
    let (phase, span) = (
      phaseLength(tiles: count, lanes: lanes), rowSpan(tiles: count, lanes: lanes)
    )
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
      @inline(__always) func at(_ p: UnsafePointer<Float>, _ q: Int) -> V { loadVector(p + q) }
      while q &+ lanes <= inside.upperBound {
        let values = inputTransform(
          at(i0, q), at(i1, q), at(i2, q), at(i3, q), at(i4, q), at(i5, q))
        store(values, combined + q, stride: span)
        q &+= lanes
      }
      if q < inside.upperBound {
        let n = inside.upperBound - q
        @inline(__always) func part(_ p: UnsafePointer<Float>) -> V { loadVector(p + q, lanes: n) }
        let values = inputTransform(part(i0), part(i1), part(i2), part(i3), part(i4), part(i5))
        store(values, combined + q, stride: span, lanes: n)
      }
      // ·B along each combined row: split it by column phase (mod 4), then tile j's six
      // columns are phases 0–3 at j and phases 0–1 at j + 1, all plain vector loads.
      let out = v + channel * tiles + segment.offset
      for r in 0..<patch {
        let row = combined + r * span
        var j = 0
        while j < phase {
          let (c0, c1, c2, c3) = V.deinterleave4(row + 4 &* j)
          storeVector(c0, phases + j)
          storeVector(c1, phases + (phase &+ j))
          storeVector(c2, phases + (2 &* phase &+ j))
          storeVector(c3, phases + (3 &* phase &+ j))
          j &+= lanes
        }
        let target = out + r * patch * plane
        let (p0, p1, p2, p3) = (phases, phases + phase, phases + 2 * phase, phases + 3 * phase)
        j = 0
        while j < count {
          let values = inputTransform(
            at(p0, j), at(p1, j), at(p2, j), at(p3, j), at(p0, j &+ 1), at(p1, j &+ 1))
          if j &+ lanes <= count {
            store(values, target + j, stride: plane)
          } else {
            store(values, target + j, stride: plane, lanes: count - j)
          }
          j &+= lanes
        }
      }
    }
  }

  /// Stores six vectors `stride` apart from `p`.
  @inlinable @inline(__always)
  static func store<V: WinogradVector>(
    _ values: (V, V, V, V, V, V), _ p: UnsafeMutablePointer<Float>, stride: Int
  ) {
    storeVector(values.0, p)
    storeVector(values.1, p + stride)
    storeVector(values.2, p + 2 &* stride)
    storeVector(values.3, p + 3 &* stride)
    storeVector(values.4, p + 4 &* stride)
    storeVector(values.5, p + 5 &* stride)
  }

  /// Stores the first `lanes` lanes of six vectors `stride` apart from `p`.
  @inlinable @inline(never)
  static func store<V: WinogradVector>(
    _ values: (V, V, V, V, V, V), _ p: UnsafeMutablePointer<Float>, stride: Int, lanes: Int
  ) {
    storeVector(values.0, p, lanes: lanes)
    storeVector(values.1, p + stride, lanes: lanes)
    storeVector(values.2, p + 2 &* stride, lanes: lanes)
    storeVector(values.3, p + 3 &* stride, lanes: lanes)
    storeVector(values.4, p + 4 &* stride, lanes: lanes)
    storeVector(values.5, p + 5 &* stride, lanes: lanes)
  }

  /// Y = Aᵀ·M·A for the tiles of `segment`, every output channel, through `epilogue`, into
  /// `y` `[N, O, H', W']` (tiles past the edge write only their inside part).
  @inlinable
  static func transformOutput<V: WinogradVector>(
    _: V.Type, _ segment: Segment, _ g: Geometry, outputs o: Int, _ m: UnsafePointer<Float>,
    tiles: Int, _ epilogue: Epilogue, into y: UnsafeMutablePointer<Float>,
    scratch along: UnsafeMutablePointer<Float>
  ) {
    let (outH, outW) = (g.outputHeight, g.outputWidth)
    let plane = Products.rows(o) * tiles
    let (top, left) = (tile * segment.row, tile * segment.columns.lowerBound)
    let count = segment.columns.count
    // The tile row's output columns and rows inside the image.
    let (width, height) = (Swift.min(tile * count, outW - left), Swift.min(tile, outH - top))
    let lanes = V.scalarCount
    // Offsets in `along`: z (6 rows × 4 vectors), then y (4 rows × 4 vectors).
    let (zRow, yStart) = (4 &* lanes, 24 &* lanes)
    for channel in 0..<o {
      let scale = V(repeating: epilogue.scale?[channel] ?? 1)
      let shift = V(repeating: epilogue.shift?[channel] ?? 0)
      let floor = V(repeating: epilogue.rectifies ? 0 : -.infinity)
      let source = m + channel * tiles + segment.offset
      let output = y + (segment.image * o + channel) * outH * outW + top * outW + left
      @inline(__always) func finish(_ value: V) -> V {
        (value * scale + shift).atLeast(floor)
      }
      var j = 0
      while j < count {
        // A vector of tiles at a time; the last group overlaps the one before (or is padded
        // by the block's spare columns: M has T ≥ lanes columns past `offset` only when T
        // allows).
        let at = Swift.min(j, Swift.max(0, count - lanes))
        let used = Swift.min(lanes, count)
        // z[r][q] = (Aᵀ · row r of M)[q], kept in `along` as vector 4r + q.
        for r in 0..<patch {
          @inline(__always) func s(_ column: Int) -> V {
            loadVector(source + ((r &* patch &+ column) &* plane &+ at))
          }
          let (z0, z1, z2, z3) = outputTransform(s(0), s(1), s(2), s(3), s(4), s(5))
          storeVector(z0, along + zRow &* r)
          storeVector(z1, along + (zRow &* r &+ lanes))
          storeVector(z2, along + (zRow &* r &+ 2 &* lanes))
          storeVector(z3, along + (zRow &* r &+ 3 &* lanes))
        }
        // y[i][q] = (Aᵀ · column q of z)[i], kept after z as vector 24 + 4i + q.
        for q in 0..<tile {
          @inline(__always) func z(_ r: Int) -> V {
            loadVector(along + (zRow &* r &+ lanes &* q))
          }
          let values = outputTransform(z(0), z(1), z(2), z(3), z(4), z(5))
          storeVector(finish(values.0), along + (yStart &+ lanes &* q))
          storeVector(finish(values.1), along + (yStart &+ zRow &+ lanes &* q))
          storeVector(finish(values.2), along + (yStart &+ 2 &* zRow &+ lanes &* q))
          storeVector(finish(values.3), along + (yStart &+ 3 &* zRow &+ lanes &* q))
        }
        // Output row i of the tiles: their four columns each, interleaved.
        let whole = used == lanes && tile * (at + lanes) <= width
        for i in 0..<height {
          @inline(__always) func column(_ q: Int) -> V {
            loadVector(along + (yStart &+ zRow &* i &+ lanes &* q))
          }
          let target = output + i * outW + tile * at
          if whole {
            V.interleave4(column(0), column(1), column(2), column(3), to: target)
          } else {
            for q in 0..<tile {
              let values = column(q)
              for l in 0..<used where tile * (at + l) + q < width {
                target[tile * l + q] = values[l]
              }
            }
          }
        }
        j = at + lanes
      }
    }
  }

  /// Bᵀ·(d0 … d5): a tile side's six transformed values from its six inputs.
  @inlinable @inline(__always)
  static func inputTransform<V: WinogradVector>(
    _ d0: V, _ d1: V, _ d2: V, _ d3: V, _ d4: V, _ d5: V
  ) -> (V, V, V, V, V, V) {
    let (q, e) = (d3 - d1, d4 - d2)
    return (
      d0 + (e - d2) + 1.5 * q, d4 + d1 - 2.5 * d2 + 0.5 * d3, d4 - d1 + 0.5 * d2 + 2.5 * d3,
      e + 2 * q, e - 0.5 * q, d5 + (d1 - 2 * d3) + 1.5 * e
    )
  }

  /// Aᵀ·(m0 … m5): the four outputs of a tile side from its six transformed values.
  @inlinable @inline(__always)
  static func outputTransform<V: WinogradVector>(
    _ m0: V, _ m1: V, _ m2: V, _ m3: V, _ m4: V, _ m5: V
  ) -> (V, V, V, V) {
    let (sum, difference) = (m1 + m2, m2 - m1)
    return (
      m0 + sum + m3 + m4, difference + 0.5 * m3 - 2 * m4, sum + 0.25 * m3 + 4 * m4,
      difference + 0.125 * m3 - 8 * m4 + m5
    )
  }
}
