// A 3×3 "same" convolution of small images by Winograd's F(2×2, 3×3): 16 products per tile
// and channel pair instead of 36 multiply-adds, 2.25× fewer than the direct path, with
// transforms of additions only (Lavin & Gray, 2015). Followed by a 2×2 max-pool, each output
// tile is exactly one pooling window: the output transform ends in the window's max and the
// convolution's output is never stored.
//
//   U = G·g·Gᵀ       (each 3×3 filter → 4×4; [16][O][C] in panels, once per weight change)
//   V = Bᵀ·d·B       (each 4×4 input patch, tiles 2 apart → 4×4)
//   M[ξ] = U[ξ]·V[ξ] (16 products [6, C] × [C, 2 vectors] per panel of filters and strip)
//   y = Aᵀ·M·A       (each 4×4 → its 2×2 output tile; or that window's max, pooled)
//
// Tiles are taken a vector at a time along a tile row (a "unit": 8 tiles in SIMD8<Float>, 16
// in SIMD16<Float>), which the input transform reads as two deinterleaved two-vector loads
// per patch row; two units make a strip, the product kernel's width (6 × 2 vectors). Per
// strip, V (16·C·2 vectors) stays in L1/L2 while every panel of filters sweeps it, and each
// panel's sixteen products go straight into the output transform: nothing but the result
// leaves the cache. Units past a row's last tile compute garbage lanes that are never stored.
//
// The transforms are generic over the vector and @inlinable: NeuronaAVX2 and NeuronaAVX512
// instantiate `compute` (KernelInstances.swift there), and Neurona calls the instance of the
// instruction set CPUFeatures allows. The filter transform runs at the baseline, once per
// change of the weights; its layout does not depend on the vector.

/// The F(2×2, 3×3) convolution, pooled or not (see the file header).
public enum Winograd2x2 {
  /// Points of the transformed 4×4 patch: one product each.
  @inlinable
  public static var points: Int { 16 }

  /// Floats between two points' laid-out filter matrices in U.
  @inlinable
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
    // G·(g0, g1, g2): the filter at the points 0, 1, −1, ∞. (Run for every filter at every
    // training step: no arrays.)
    func interpolate(_ g0: Float, _ g1: Float, _ g2: Float) -> SIMD4<Float> {
      SIMD4(g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2)
    }
    // [16][O, C] first (every float written), then each point's matrix into panels.
    let matrices = [Float](unsafeUninitializedCapacity: points * plane) { matrices, count in
      for filter in 0..<plane {
        let g = weight + filter * 9
        let columns = (
          interpolate(g[0], g[3], g[6]), interpolate(g[1], g[4], g[7]),
          interpolate(g[2], g[5], g[8])
        )
        for row in 0..<4 {
          let values = interpolate(columns.0[row], columns.1[row], columns.2[row])
          for column in 0..<4 { matrices[(row * 4 + column) * plane + filter] = values[column] }
        }
      }
      count = points * plane
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
  /// around), images `imageStride` apart, and `slack` readable floats after the last; and
  /// the tiles per unit, the lanes of the kernel's vector.
  public struct Layout: Sendable {
    public var channels, imageStride, planeStride, paddedWidth: Int
    /// Output tiles (= pooled outputs) down and across an image: H'/2, W'/2.
    public var tileRows, tilesPerRow: Int
    /// Tiles per unit: the lanes of the vector of the kernel that runs.
    public var lanes: Int

    public init(
      channels: Int, imageStride: Int, planeStride: Int, paddedWidth: Int, tileRows: Int,
      tilesPerRow: Int, lanes: Int
    ) {
      (self.channels, self.imageStride, self.planeStride) = (channels, imageStride, planeStride)
      (self.paddedWidth, self.tileRows, self.tilesPerRow) = (paddedWidth, tileRows, tilesPerRow)
      self.lanes = lanes
    }

    /// Runs of `lanes` tiles per tile row.
    @inlinable
    var unitsPerRow: Int { ceilDivide(tilesPerRow, lanes) }
    /// Units per image.
    @inlinable
    public var unitsPerImage: Int { tileRows * unitsPerRow }
  }

  /// Tiles per unit for rows of `tilesPerRow` tiles, with vectors of at most `widest`
  /// floats: the widest that computes no more garbage tiles than units of eight do. (On
  /// Fashion-MNIST's 7-tile rows, 16-tile units made the model 26 % slower at batch 256 on
  /// Zen 4: more than half of each vector wasted.)
  public static func unitLanes(tilesPerRow: Int, widest: Int) -> Int {
    widest > 8 && roundUp(tilesPerRow, widest) == roundUp(tilesPerRow, 8) ? widest : 8
  }

  /// Floats the last unit may read past the last image (a unit reads 2·lanes + 2 floats from
  /// its first column: up to 2·lanes − 2 past a row's end, 30 for 16 lanes).
  public static let slack = 40

  /// Floats of a worker's scratch for vectors of `lanes`: V for one strip and M for one
  /// panel.
  public static func scratchCount(channels: Int, lanes: Int) -> Int {
    points * channels * 2 * lanes + points * 12 * lanes
  }

  /// The outputs of strips `strips` (units 2s and 2s + 1) of the padded group `x`, every
  /// output channel, through `epilogue`, into `y`: `[images][O][tileRows][tilesPerRow]` for
  /// the group's images if `pooled`, else `[images][O][2·tileRows][2·tilesPerRow]`. `u` is
  /// `transformWeights`' output. In vectors `V` of `layout.lanes` floats, with the scratch
  /// `scratchCount` asks for.
  @inlinable
  public static func compute<V: WinogradVector>(
    _: V.Type, strips: Range<Int>, _ layout: Layout, outputs o: Int, x: UnsafePointer<Float>,
    u: UnsafePointer<Float>, epilogue: Winograd.Epilogue, pooled: Bool,
    y: UnsafeMutablePointer<Float>, units: Int, scratch: UnsafeMutablePointer<Float>
  ) {
    precondition(layout.lanes == V.scalarCount, "a layout for another vector width")
    let (c, lanes) = (layout.channels, V.scalarCount)
    // A strip is two units: rows of V and M are two vectors wide.
    let width = 2 * lanes
    let (v, m) = (scratch, scratch + points * c * width)
    let stride = pointStride(outputs: o, channels: c)
    for strip in strips {
      for half in 0..<2 {
        transformInput(
          V.self, unit: 2 * strip + half, units: units, layout, x, into: v + lanes * half)
      }
      for panel in 0..<ceilDivide(o, 6) {
        for xi in 0..<points {
          let pv = UnsafePointer(v + xi * c * width)
          block6x2(
            V.self, k: c, u + (xi * stride + panel * 6 * c), row: { pv + $0 &* width },
            into: m + xi * 6 * width, rowStrideC: width)
        }
        let channels = (6 * panel)..<Swift.min(o, 6 * panel + 6)
        for half in 0..<2 where 2 * strip + half < units {
          transformOutput(
            V.self, m + lanes * half, unit: 2 * strip + half, layout, channels: channels,
            outputs: o, epilogue, pooled: pooled, into: y)
        }
      }
    }
  }

  /// V = Bᵀ·d·B for the tiles of `unit` (zeros past the last unit), every channel: point ξ
  /// of channel c at `v[(ξ·C + c)·width]` (a strip's two units by default; ∂W's blocks of
  /// units are wider).
  @inlinable @inline(__always)
  static func transformInput<V: WinogradVector>(
    _: V.Type, unit: Int, units: Int, _ layout: Layout, _ x: UnsafePointer<Float>,
    into v: UnsafeMutablePointer<Float>, rowStride: Int? = nil
  ) {
    let (c, lanes) = (layout.channels, V.scalarCount)
    let width = rowStride ?? 2 * lanes
    guard unit < units else {
      for xi in 0..<points {
        for channel in 0..<c { storeVector(V.zero, v + (xi * c + channel) * width) }
      }
      return
    }
    let (image, rest) = unit.quotientAndRemainder(dividingBy: layout.unitsPerImage)
    let (tileRow, run) = rest.quotientAndRemainder(dividingBy: layout.unitsPerRow)
    let wp = layout.paddedWidth
    let corner = x + image * layout.imageStride + 2 * tileRow * wp + 2 * lanes * run
    for channel in 0..<c {
      let base = corner + channel * layout.planeStride
      // Row r of the unit's patches, columns 0...3 of each — the even and odd columns of the
      // two vectors at the run's first column and of the two vectors two further on — times
      // Bᵀ along the row: (d0 − d2, d1 + d2, d2 − d1, d1 − d3).
      @inline(__always)
      func row(_ r: Int) -> (V, V, V, V) {
        let start = base + r &* wp
        let (d0, d1) = V.deinterleave2(start)
        let (d2, d3) = V.deinterleave2(start + 2)
        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
      }
      let (a, b, e, f) = (row(0), row(1), row(2), row(3))
      // Bᵀ down each column; point ξ = 4i + j.
      let target = v + channel * width
      @inline(__always) func put(_ value: V, _ xi: Int) {
        storeVector(value, target + (xi &* c) &* width)
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
  /// ξ at `m[ξ·12·lanes + r·2·lanes]`): y = Aᵀ·M·A per tile, the epilogue, and the max of
  /// the 2×2 window if `pooled`, stored for the unit's real tiles.
  @inlinable @inline(__always)
  static func transformOutput<V: WinogradVector>(
    _: V.Type, _ m: UnsafeMutablePointer<Float>, unit: Int, _ layout: Layout,
    channels: Range<Int>, outputs o: Int, _ epilogue: Winograd.Epilogue, pooled: Bool,
    into y: UnsafeMutablePointer<Float>
  ) {
    let (image, rest) = unit.quotientAndRemainder(dividingBy: layout.unitsPerImage)
    let (tileRow, run) = rest.quotientAndRemainder(dividingBy: layout.unitsPerRow)
    let (unitLanes, rowStride) = (V.scalarCount, 2 * V.scalarCount)
    let pointStride = 6 * rowStride
    let lanes = Swift.min(unitLanes, layout.tilesPerRow - unitLanes * run)
    let area = layout.tileRows * layout.tilesPerRow * (pooled ? 1 : 4)
    let width = layout.tilesPerRow * (pooled ? 1 : 2)
    let step = pooled ? 1 : 2  // output rows and columns per tile
    let first = y + image * o * area + tileRow * width * step + unitLanes * run * step
    for channel in channels {
      let row = m + (channel - channels.lowerBound) * rowStride
      @inline(__always) func at(_ xi: Int) -> V { loadVector(row + xi &* pointStride) }
      // Aᵀ along each row i: (m0 + m1 + m2, m1 − m2 − m3).
      @inline(__always) func along(_ i: Int) -> (V, V) {
        let (m0, m1, m2, m3) = (at(4 &* i), at(4 &* i &+ 1), at(4 &* i &+ 2), at(4 &* i &+ 3))
        return (m0 + m1 + m2, m1 - m2 - m3)
      }
      let (s0, s1, s2, s3) = (along(0), along(1), along(2), along(3))
      // Aᵀ down the columns: the window's four outputs.
      let window = (
        s0.0 + s1.0 + s2.0, s0.1 + s1.1 + s2.1, s1.0 - s2.0 - s3.0, s1.1 - s2.1 - s3.1
      )
      let scale = V(repeating: epilogue.scale?[channel] ?? 1)
      let shift = V(repeating: epilogue.shift?[channel] ?? 0)
      let floor = V(repeating: epilogue.rectifies ? 0 : -.infinity)
      @inline(__always) func finish(_ value: V) -> V { (value * scale + shift).atLeast(floor) }
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
      let largest: V
      if scale[0] >= 0 {
        largest = finish(window.0.atLeast(window.1).atLeast(window.2.atLeast(window.3)))
      } else {
        largest = finish(window.0).atLeast(finish(window.1)).atLeast(
          finish(window.2).atLeast(finish(window.3)))
      }
      largest.store(to: target, lanes: lanes)
    }
  }
}

/// `Winograd2x2.compute` without the vector type: `(strips, layout, outputs, x, u, epilogue,
/// pooled, y, units, scratch)`.
public typealias Winograd2x2Kernel = (
  Range<Int>, Winograd2x2.Layout, Int, UnsafePointer<Float>, UnsafePointer<Float>,
  Winograd.Epilogue, Bool, UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Float>
) -> Void
