// ∂W of a 3×3 stride-1 convolution in Winograd's domain (F(4×4, 3×3), Winograd.swift): the
// forward pass is M[ξ] = U[ξ]·V[ξ] per point ξ, with U = G·g·Gᵀ and Y = Aᵀ·M·A, so by the
// chain rule
//
//   ∂M = A·∂Y·Aᵀ           (each 4×4 tile of ∂y → 6×6, the output transform's adjoint)
//   ∂U[ξ] = Σₜ ∂M[ξ]·V[ξ]ᵀ  (36 products [O, T] × [T, C], summed over every tile)
//   ∂g = Gᵀ·∂U·G           (each 6×6 → its 3×3 filter's gradient)
//
// 36·T multiply-adds per channel pair where im2col's ∂W = ∂Y·colsᵀ takes 9·16·T: 4× fewer.
// V is the forward pass's input transform, recomputed here (cheaper than keeping it). The
// kernels below fill V and ∂M for a block of tiles; the caller multiplies (sgemm) and sums.

extension Winograd {
  /// V and ∂M of tiles `block` of the batch: V `[36][C][T]` from the input `x` `[N, C, H, W]`
  /// and ∂M `[36][O][T]` from the output gradient `dy` `[N, O, H', W']`, T the block's tile
  /// count rounded up (`Products.columns`), columns past the block left as they were; with
  /// the scratch `scratch` asks for (`rows`).
  @inlinable
  public static func gradientBlock<V: WinogradVector>(
    _: V.Type, _ block: Range<Int>, _ g: Geometry, outputs: Int, x: UnsafePointer<Float>,
    dy: UnsafePointer<Float>, input v: UnsafeMutablePointer<Float>,
    outputGradient dm: UnsafeMutablePointer<Float>, rows: UnsafeMutablePointer<Float>
  ) {
    let stride = Products.columns(block.count)
    for segment in segments(of: block, Tiling(g)) {
      transformInput(V.self, segment, g, x, tiles: stride, rows: rows, into: v)
      transformOutputGradient(
        V.self, segment, g, outputs: outputs, dy, tiles: stride, scratch: rows, into: dm)
    }
  }

  /// Floats between two rows of V and ∂M for a block of `tiles` tiles.
  public static func tileStride(_ tiles: Int) -> Int { Products.columns(tiles) }

  /// ∂M = A·∂Y·Aᵀ for the tiles of `segment`, every output channel, into `dm` `[36][O][T]`.
  /// ∂y outside the output (the last tiles' overhang) counts as zero.
  ///
  /// Each of the tile row's four ∂y rows is split by column phase (mod 4), so that tile j's
  /// four columns are the four phases at j; A runs along them, then across the four rows,
  /// a vector of tiles at a time.
  @inlinable
  static func transformOutputGradient<V: WinogradVector>(
    _: V.Type, _ segment: Segment, _ g: Geometry, outputs o: Int, _ dy: UnsafePointer<Float>,
    tiles: Int, scratch: UnsafeMutablePointer<Float>, into dm: UnsafeMutablePointer<Float>
  ) {
    let (outH, outW) = (g.outputHeight, g.outputWidth)
    let (top, left) = (tile * segment.row, tile * segment.columns.lowerBound)
    let count = segment.columns.count
    let (width, height) = (Swift.min(tile * count, outW - left), Swift.min(tile, outH - top))
    let lanes = V.scalarCount
    let phase = roundUp(count, lanes)
    // scratch: one ∂y row zero-padded to whole vectors of tiles, then 4 rows × 4 phases.
    let (row, phases) = (scratch, scratch + tile * phase)
    let plane = o * tiles
    for channel in 0..<o {
      let source = dy + (segment.image * o + channel) * outH * outW + top * outW + left
      for i in 0..<tile {
        let filled = i < height ? width : 0
        row.update(from: source + i * outW, count: filled)
        (row + filled).update(repeating: 0, count: tile * phase - filled)
        var j = 0
        while j < phase {
          let (c0, c1, c2, c3) = V.deinterleave4(row + 4 &* j)
          storeVector(c0, phases + ((4 &* i) &* phase &+ j))
          storeVector(c1, phases + ((4 &* i &+ 1) &* phase &+ j))
          storeVector(c2, phases + ((4 &* i &+ 2) &* phase &+ j))
          storeVector(c3, phases + ((4 &* i &+ 3) &* phase &+ j))
          j &+= lanes
        }
      }
      let target = dm + channel * tiles + segment.offset
      var j = 0
      while j < count {
        @inline(__always) func at(_ i: Int, _ q: Int) -> V {
          loadVector(phases + ((4 &* i &+ q) &* phase &+ j))
        }
        // Along each ∂y row: its six values at the points, h[i].s.
        @inline(__always) func along(_ i: Int) -> (V, V, V, V, V, V) {
          outputTransformAdjoint(at(i, 0), at(i, 1), at(i, 2), at(i, 3))
        }
        let (h0, h1, h2, h3) = (along(0), along(1), along(2), along(3))
        @inline(__always) func across(_ s: Int, _ a: V, _ b: V, _ c: V, _ d: V) {
          let values = outputTransformAdjoint(a, b, c, d)
          let p = target + s * plane + j
          let stride = patch * plane
          if j &+ lanes <= count {
            store(values, p, stride: stride)
          } else {
            store(values, p, stride: stride, lanes: count - j)
          }
        }
        across(0, h0.0, h1.0, h2.0, h3.0)
        across(1, h0.1, h1.1, h2.1, h3.1)
        across(2, h0.2, h1.2, h2.2, h3.2)
        across(3, h0.3, h1.3, h2.3, h3.3)
        across(4, h0.4, h1.4, h2.4, h3.4)
        across(5, h0.5, h1.5, h2.5, h3.5)
        j &+= lanes
      }
    }
  }

  /// A·(d0 … d3): the adjoint of `outputTransform`, a tile side's six values at the points
  /// from its four output gradients.
  @inlinable @inline(__always)
  static func outputTransformAdjoint<V: WinogradVector>(
    _ d0: V, _ d1: V, _ d2: V, _ d3: V
  ) -> (V, V, V, V, V, V) {
    let (even, odd) = (d0 + d2, d1 + d3)
    return (
      d0, even - odd, even + odd, d0 + 0.5 * d1 + 0.25 * d2 + 0.125 * d3,
      d0 - 2 * d1 + 4 * d2 - 8 * d3, d3
    )
  }

  /// ∂W `[O, C, 3, 3]` += Gᵀ·∂U·G for ∂U `[36][O][C]` (each point's `[O, C]` matrix, plain
  /// row-major): the adjoint of `transformWeights`.
  public static func addWeightGradient(
    _ du: UnsafePointer<Float>, outputs: Int, channels: Int, into dw: UnsafeMutablePointer<Float>
  ) {
    // G, row by row: the filter's three taps at the points 0, −1, 1, ½, −2, ∞ over their
    // spreads (as `transformWeights` interpolates).
    let g: [[Double]] = [
      [1, 0, 0], [-1.0 / 3, 1.0 / 3, -1.0 / 3], [1.0 / 3, 1.0 / 3, 1.0 / 3],
      [-16.0 / 15, -8.0 / 15, -4.0 / 15], [1.0 / 15, -2.0 / 15, 4.0 / 15], [0, 0, 1],
    ]
    let plane = outputs * channels
    withUnsafeTemporaryAllocation(of: Double.self, capacity: patch * 3) { right in
      for filter in 0..<plane {
        // ∂g[a][b] = Σ_r G[r][a] · Σ_s ∂U[r][s]·G[s][b].
        right.update(repeating: 0)
        for r in 0..<patch {
          for s in 0..<patch {
            let value = Double(du[(r * patch + s) * plane + filter])
            for b in 0..<3 { right[r * 3 + b] += value * g[s][b] }
          }
        }
        for a in 0..<3 {
          for b in 0..<3 {
            var sum = 0.0
            for r in 0..<patch { sum += g[r][a] * right[r * 3 + b] }
            dw[filter * 9 + a * 3 + b] += Float(sum)
          }
        }
      }
    }
  }
}
