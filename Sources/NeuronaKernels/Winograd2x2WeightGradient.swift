// ∂W of the F(2×2, 3×3) convolution in Winograd's domain, as WinogradWeightGradient.swift does
// for F(4×4): the forward pass is M[ξ] = U[ξ]·V[ξ] per point ξ, with U = G·g·Gᵀ and
// Y = Aᵀ·M·A, so
//
//   ∂M = A·∂Y·Aᵀ           (each 2×2 tile of ∂y → 4×4, the output transform's adjoint)
//   ∂U[ξ] = Σₜ ∂M[ξ]·V[ξ]ᵀ  (16 products [O, T] × [T, C], summed over every tile)
//   ∂g = Gᵀ·∂U·G           (each 4×4 → its 3×3 filter's gradient)
//
// 16·T multiply-adds per channel pair where im2col's ∂W = ∂Y·colsᵀ takes 9·4·T (2.25× fewer),
// and no columns. V is the forward pass's input transform, recomputed (`transformInput`). The
// kernel below fills V and ∂M for a run of units (tiles a vector at a time, Winograd2x2.swift);
// the caller multiplies (sgemm) and sums.

extension Winograd2x2 {
  /// V `[16][C][T]` and ∂M `[16][O][T]` (rows `rowStride` floats apart) for the units `units`
  /// of the padded group `x` (laid out by `layout`) and their output gradient `dy`
  /// (`[images][O][2·tileRows][2·tilesPerRow]`, from the group's first image): unit
  /// `units.lowerBound + k` in columns k·lanes ..< (k + 1)·lanes. Tiles past a row's last get
  /// ∂M = 0, so whatever their V holds adds nothing. `scratch`: 2·lanes floats.
  @inlinable
  public static func gradientUnits<V: WinogradVector>(
    _: V.Type, _ units: Range<Int>, _ layout: Layout, outputs o: Int, x: UnsafePointer<Float>,
    dy: UnsafePointer<Float>, input v: UnsafeMutablePointer<Float>,
    outputGradient dm: UnsafeMutablePointer<Float>, rowStride: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let lanes = V.scalarCount
    for (k, unit) in units.enumerated() {
      transformInput(
        V.self, unit: unit, units: units.upperBound, layout, x, into: v + k * lanes,
        rowStride: rowStride)
      transformOutputGradient(
        V.self, unit: unit, layout, outputs: o, dy, into: dm + k * lanes, rowStride: rowStride,
        scratch: scratch)
    }
  }

  /// ∂M = A·∂Y·Aᵀ for the tiles of `unit`, every output channel: point ξ of channel o at
  /// `dm[(ξ·O + o)·rowStride]`.
  @inlinable @inline(__always)
  static func transformOutputGradient<V: WinogradVector>(
    _: V.Type, unit: Int, _ layout: Layout, outputs o: Int, _ dy: UnsafePointer<Float>,
    into dm: UnsafeMutablePointer<Float>, rowStride: Int, scratch: UnsafeMutablePointer<Float>
  ) {
    let (image, rest) = unit.quotientAndRemainder(dividingBy: layout.unitsPerImage)
    let (tileRow, run) = rest.quotientAndRemainder(dividingBy: layout.unitsPerRow)
    let lanes = V.scalarCount
    let tiles = Swift.min(lanes, layout.tilesPerRow - lanes * run)
    let width = 2 * layout.tilesPerRow
    let area = width * 2 * layout.tileRows
    let first = dy + image * o * area + 2 * tileRow * width + 2 * lanes * run
    // The even and odd columns of a ∂y row's tiles; zeros past the row's last tile.
    @inline(__always) func split(_ row: UnsafePointer<Float>) -> (V, V) {
      guard tiles < lanes else { return V.deinterleave2(row) }
      for q in 0..<(2 * tiles) { scratch[q] = row[q] }
      for q in (2 * tiles)..<(2 * lanes) { scratch[q] = 0 }
      return V.deinterleave2(scratch)
    }
    for channel in 0..<o {
      let top = first + channel * area
      let (d00, d01) = split(top)
      let (d10, d11) = split(top + width)
      // The adjoint of (m0 + m1 + m2, m1 − m2 − m3): (∂0, ∂0 + ∂1, ∂0 − ∂1, −∂1), along each
      // row, then down the columns.
      let h0 = (d00, d00 + d01, d00 - d01, V.zero - d01)
      let h1 = (d10, d10 + d11, d10 - d11, V.zero - d11)
      let target = dm + channel * rowStride
      @inline(__always) func put(_ value: V, _ xi: Int) {
        storeVector(value, target + (xi &* o) &* rowStride)
      }
      put(h0.0, 0)
      put(h0.1, 1)
      put(h0.2, 2)
      put(h0.3, 3)
      put(h0.0 + h1.0, 4)
      put(h0.1 + h1.1, 5)
      put(h0.2 + h1.2, 6)
      put(h0.3 + h1.3, 7)
      put(h0.0 - h1.0, 8)
      put(h0.1 - h1.1, 9)
      put(h0.2 - h1.2, 10)
      put(h0.3 - h1.3, 11)
      put(V.zero - h1.0, 12)
      put(V.zero - h1.1, 13)
      put(V.zero - h1.2, 14)
      put(V.zero - h1.3, 15)
    }
  }

  /// ∂W `[O, C, 3, 3]` += Gᵀ·∂U·G for ∂U `[16][O][C]` (each point's `[O, C]` matrix, plain
  /// row-major): the adjoint of `transformWeights`.
  public static func addWeightGradient(
    _ du: UnsafePointer<Float>, outputs: Int, channels: Int, into dw: UnsafeMutablePointer<Float>
  ) {
    // G, row by row: the filter's taps at the points 0, 1, −1, ∞ (as `transformWeights`).
    let g: [SIMD3<Float>] = [
      SIMD3(1, 0, 0), SIMD3(0.5, 0.5, 0.5), SIMD3(0.5, -0.5, 0.5), SIMD3(0, 0, 1),
    ]
    let plane = outputs * channels
    for filter in 0..<plane {
      // ∂g[a][b] = Σ_r G[r][a] · Σ_s ∂U[r][s]·G[s][b].
      var result = (SIMD3<Float>(), SIMD3<Float>(), SIMD3<Float>())
      for r in 0..<4 {
        var right = SIMD3<Float>()
        for s in 0..<4 { right += du[(r * 4 + s) * plane + filter] * g[s] }
        result.0 += g[r][0] * right
        result.1 += g[r][1] * right
        result.2 += g[r][2] * right
      }
      for b in 0..<3 {
        dw[filter * 9 + b] += result.0[b]
        dw[filter * 9 + 3 + b] += result.1[b]
        dw[filter * 9 + 6 + b] += result.2[b]
      }
    }
  }
}

/// `Winograd2x2.gradientUnits` without the vector type: `(units, layout, outputs, x, dy,
/// V, ∂M, rowStride, scratch)`.
public typealias Winograd2x2GradientKernel = (
  Range<Int>, Winograd2x2.Layout, Int, UnsafePointer<Float>, UnsafePointer<Float>,
  UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Float>
) -> Void
