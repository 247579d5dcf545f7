// A 3×3 "same" convolution of small images by Winograd's F(2×2, 3×3): 16 products per tile
// and channel pair instead of 36 multiply-adds, 2.25× fewer than the direct path, with
// transforms of additions only (Lavin & Gray, 2015). Followed by a 2×2 max-pool, each output
// tile is exactly one pooling window: the output transform ends in the window's max and the
// convolution's output is never stored.
//
//   U = G·g·Gᵀ       (each 3×3 filter → 4×4; [16][O][C] in panels, once per weight change)
//   V = Bᵀ·d·B       (each 4×4 input patch, tiles 2 apart → 4×4)
//   M[ξ] = U[ξ]·V[ξ] (16 products [6, C] × [C, 16] per panel of filters and strip of tiles)
//   y = Aᵀ·M·A       (each 4×4 → its 2×2 output tile; or that window's max, pooled)
//
// Tiles are taken eight at a time along a tile row (a "unit"), which the input transform
// reads as two deinterleaved 16-float loads per patch row; two units make a strip of sixteen
// tiles, the kernel's width. Per strip, V (16·C·16 floats) stays in L1/L2 while every panel
// of filters sweeps it, and each panel's sixteen 6×16 products go straight into the output
// transform: nothing but the result leaves the cache. Units past a row's last tile compute
// garbage lanes that are never stored.
//
// Called only on CPUs with AVX2 and FMA (this module is compiled for them).
import NeuronaKernels

/// The F(2×2, 3×3) convolution, pooled or not (see the file header).
public enum Winograd2x2 {
  /// Points of the transformed 4×4 patch: one product each.
  public static let points = 16

  /// Floats between two points' laid-out filter matrices in U.
  static func pointStride(outputs: Int, channels: Int) -> Int { roundUp(outputs, 6) * channels }

  /// Floats of the transformed filters of `outputs` × `channels` 3×3 filters.
  public static func weightCount(outputs: Int, channels: Int) -> Int {
    points * pointStride(outputs: outputs, channels: channels) + 8
  }

  /// U = G·g·Gᵀ for every filter (`weight` `[O, C, 3, 3]`): for each of the 16 points, its
  /// `[O, C]` matrix laid out by `PackedProduct.pack`.
  public static func transformWeights(
    _ weight: UnsafePointer<Float>, outputs: Int, channels: Int,
    into u: UnsafeMutablePointer<Float>
  ) {
    let plane = outputs * channels
    // G·(g0, g1, g2): the filter at the points 0, 1, −1, ∞.
    func interpolate(_ g0: Float, _ g1: Float, _ g2: Float) -> [Float] {
      [g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2]
    }
    var matrices = [Float](repeating: 0, count: points * plane)
    for filter in 0..<plane {
      let g = (0..<9).map { weight[filter * 9 + $0] }
      let columns = (0..<3).map { interpolate(g[$0], g[3 + $0], g[6 + $0]) }
      for row in 0..<4 {
        let values = interpolate(columns[0][row], columns[1][row], columns[2][row])
        for column in 0..<4 { matrices[(row * 4 + column) * plane + filter] = values[column] }
      }
    }
    let stride = pointStride(outputs: outputs, channels: channels)
    matrices.withUnsafeBufferPointer { m in
      for xi in 0..<points {
        PackedProduct.pack(
          m.baseAddress! + xi * plane, rows: outputs, depth: channels, into: u + xi * stride)
      }
    }
  }

  /// The layout of a group of padded images: `images` of C planes, each `planeStride` floats
  /// of rows `paddedWidth` apart (the image's rows from row 1, columns from column 1, zeros
  /// around), images `imageStride` apart, and `slack` readable floats after the last.
  public struct Layout: Sendable {
    public var channels, imageStride, planeStride, paddedWidth: Int
    /// Output tiles (= pooled outputs) down and across an image: H'/2, W'/2.
    public var tileRows, tilesPerRow: Int

    public init(
      channels: Int, imageStride: Int, planeStride: Int, paddedWidth: Int, tileRows: Int,
      tilesPerRow: Int
    ) {
      (self.channels, self.imageStride, self.planeStride) = (channels, imageStride, planeStride)
      (self.paddedWidth, self.tileRows, self.tilesPerRow) = (paddedWidth, tileRows, tilesPerRow)
    }

    /// Runs of eight tiles per tile row.
    var unitsPerRow: Int { ceilDivide(tilesPerRow, 8) }
    /// Units per image.
    public var unitsPerImage: Int { tileRows * unitsPerRow }
  }

  /// Floats the last unit may read past the last image.
  public static let slack = 40

  /// Floats of a worker's scratch: V for one strip and M for one panel.
  public static func scratchCount(channels: Int) -> Int { points * channels * 16 + points * 96 }

  /// The outputs of strips `strips` (units 2s and 2s + 1) of the padded group `x`, every
  /// output channel, through `epilogue`, into `y`: `[images][O][tileRows][tilesPerRow]` for
  /// the group's images if `pooled`, else `[images][O][2·tileRows][2·tilesPerRow]`. `u` is
  /// `transformWeights`' output.
  public static func compute(
    strips: Range<Int>, _ layout: Layout, outputs o: Int, x: UnsafePointer<Float>,
    u: UnsafePointer<Float>, epilogue: Winograd.Epilogue, pooled: Bool,
    y: UnsafeMutablePointer<Float>, units: Int, scratch: UnsafeMutablePointer<Float>
  ) {
    let c = layout.channels
    let (v, m) = (scratch, scratch + points * c * 16)
    let stride = pointStride(outputs: o, channels: c)
    for strip in strips {
      for half in 0..<2 {
        transformInput(unit: 2 * strip + half, units: units, layout, x, into: v + 8 * half)
      }
      for panel in 0..<ceilDivide(o, 6) {
        for xi in 0..<points {
          let pv = UnsafePointer(v + xi * c * 16)
          block6x16(
            k: c, u + (xi * stride + panel * 6 * c), row: { pv + $0 &* 16 }, into: m + xi * 96,
            rowStrideC: 16)
        }
        let channels = (6 * panel)..<Swift.min(o, 6 * panel + 6)
        for half in 0..<2 where 2 * strip + half < units {
          transformOutput(
            m + 8 * half, unit: 2 * strip + half, layout, channels: channels, outputs: o,
            epilogue, pooled: pooled, into: y)
        }
      }
    }
  }

  /// V = Bᵀ·d·B for the eight tiles of `unit` (zeros past the last unit), every channel:
  /// point ξ of channel c at `v[(ξ·C + c)·16]`.
  @inline(__always)
  private static func transformInput(
    unit: Int, units: Int, _ layout: Layout, _ x: UnsafePointer<Float>,
    into v: UnsafeMutablePointer<Float>
  ) {
    let c = layout.channels
    guard unit < units else {
      for xi in 0..<points { for channel in 0..<c { store8(.zero, v + (xi * c + channel) * 16) } }
      return
    }
    let (image, rest) = unit.quotientAndRemainder(dividingBy: layout.unitsPerImage)
    let (tileRow, run) = rest.quotientAndRemainder(dividingBy: layout.unitsPerRow)
    let wp = layout.paddedWidth
    let corner = x + image * layout.imageStride + 2 * tileRow * wp + 16 * run
    for channel in 0..<c {
      let base = corner + channel * layout.planeStride
      // Row r of the eight patches, columns 0...3 of each — the even and odd columns of the
      // 16 floats at the run's first column and of the 16 two further on — times Bᵀ along
      // the row: (d0 − d2, d1 + d2, d2 − d1, d1 − d3).
      @inline(__always)
      func row(_ r: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let start = base + r &* wp
        let near = UnsafeRawPointer(start).loadUnaligned(as: SIMD16<Float>.self)
        let far = UnsafeRawPointer(start + 2).loadUnaligned(as: SIMD16<Float>.self)
        let (d0, d1, d2, d3) = (near.evenHalf, near.oddHalf, far.evenHalf, far.oddHalf)
        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
      }
      let (a, b, e, f) = (row(0), row(1), row(2), row(3))
      // Bᵀ down each column; point ξ = 4i + j.
      let target = v + channel * 16
      @inline(__always) func put(_ value: SIMD8<Float>, _ xi: Int) {
        store8(value, target + (xi &* c) &* 16)
      }
      put(a.0 - e.0, 0)
      put(a.1 - e.1, 1)
      put(a.2 - e.2, 2)
      put(a.3 - e.3, 3)
      put(b.0 + e.0, 4)
      put(b.1 + e.1, 5)
      put(b.2 + e.2, 6)
      put(b.3 + e.3, 7)
      put(e.0 - b.0, 8)
      put(e.1 - b.1, 9)
      put(e.2 - b.2, 10)
      put(e.3 - b.3, 11)
      put(b.0 - f.0, 12)
      put(b.1 - f.1, 13)
      put(b.2 - f.2, 14)
      put(b.3 - f.3, 15)
    }
  }

  /// For the output channels `channels` (one panel; M's row r is channel `first + r`, point
  /// ξ at `m[ξ·96 + r·16]`): y = Aᵀ·M·A per tile, the epilogue, and the max of the 2×2
  /// window if `pooled`, stored for the unit's real tiles.
  @inline(__always)
  private static func transformOutput(
    _ m: UnsafeMutablePointer<Float>, unit: Int, _ layout: Layout, channels: Range<Int>,
    outputs o: Int, _ epilogue: Winograd.Epilogue, pooled: Bool,
    into y: UnsafeMutablePointer<Float>
  ) {
    let (image, rest) = unit.quotientAndRemainder(dividingBy: layout.unitsPerImage)
    let (tileRow, run) = rest.quotientAndRemainder(dividingBy: layout.unitsPerRow)
    let lanes = Swift.min(8, layout.tilesPerRow - 8 * run)
    let area = layout.tileRows * layout.tilesPerRow * (pooled ? 1 : 4)
    let width = layout.tilesPerRow * (pooled ? 1 : 2)
    let step = pooled ? 1 : 2  // output rows and columns per tile
    let first = y + image * o * area + tileRow * width * step + 8 * run * step
    for channel in channels {
      let row = m + (channel - channels.lowerBound) * 16
      @inline(__always) func at(_ xi: Int) -> SIMD8<Float> { load8(row + xi &* 96) }
      // Aᵀ along each row i: (m0 + m1 + m2, m1 − m2 − m3).
      @inline(__always) func along(_ i: Int) -> (SIMD8<Float>, SIMD8<Float>) {
        let (m0, m1, m2, m3) = (at(4 &* i), at(4 &* i &+ 1), at(4 &* i &+ 2), at(4 &* i &+ 3))
        return (m0 + m1 + m2, m1 - m2 - m3)
      }
      let (s0, s1, s2, s3) = (along(0), along(1), along(2), along(3))
      // Aᵀ down the columns: the window's four outputs.
      let window = (
        s0.0 + s1.0 + s2.0, s0.1 + s1.1 + s2.1, s1.0 - s2.0 - s3.0, s1.1 - s2.1 - s3.1
      )
      let scale = SIMD8<Float>(repeating: epilogue.scale?[channel] ?? 1)
      let shift = SIMD8<Float>(repeating: epilogue.shift?[channel] ?? 0)
      let floor = SIMD8<Float>(repeating: epilogue.rectifies ? 0 : -.infinity)
      @inline(__always) func finish(_ value: SIMD8<Float>) -> SIMD8<Float> {
        larger(value * scale + shift, floor)
      }
      let target = first + channel * area
      guard pooled else {
        // The tile's two rows, its two columns interleaved.
        let (y00, y01, y10, y11) = (
          finish(window.0), finish(window.1), finish(window.2), finish(window.3)
        )
        for lane in 0..<lanes {
          (target[2 &* lane], target[2 &* lane &+ 1]) = (y00[lane], y01[lane])
          (target[width &+ 2 &* lane], target[width &+ 2 &* lane &+ 1]) = (y10[lane], y11[lane])
        }
        continue
      }
      // A map that never decreases commutes with the max: once, after it.
      let largest: SIMD8<Float>
      if scale[0] >= 0 {
        largest = finish(larger(larger(window.0, window.1), larger(window.2, window.3)))
      } else {
        largest = larger(
          larger(finish(window.0), finish(window.1)), larger(finish(window.2), finish(window.3)))
      }
      store8(largest, target, lanes: lanes)
    }
  }
}
