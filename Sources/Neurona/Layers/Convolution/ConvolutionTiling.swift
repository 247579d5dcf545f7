// How Conv2D cuts a batch into tiles, one sgemm each, and shares them between workers.
// Notation as in Convolution.swift (N, O, K = C·kH·kW, P = H'·W', W' = output width).
//
// - Small images (P < minimumColumnsPerGEMM): images side by side, G per tile, so that each
//   sgemm has about that many columns; thin products are slow.
// - Big images: one image per tile, cut into bands of output rows whose columns fit
//   `columnBudget` (they stay in cache from im2col to sgemm) but are not thinner than
//   minimumColumnsPerGEMM.
// - With W workers (the cores), the tile count is made a multiple of W and the workers take
//   contiguous, equal shares, each with single-threaded BLAS: im2col, col2im and the bias
//   then run in parallel too (a product on its own would only share its columns).

/// A piece of a convolution's batch: `count` images from `first`, output rows `rows`.
public struct ConvolutionTile: Equatable, Sendable {
  /// The first image.
  public var first: Int
  /// How many images, side by side (1 for a band of a big image).
  public var count: Int
  /// The output rows covered (all of them unless `count` is 1).
  public var rows: Range<Int>

  /// Columns of the tile's matrices: count · |rows| · W'.
  public func width(_ g: ConvolutionGeometry) -> Int { count * rows.count * g.outputWidth }
}

extension Conv2D {
  /// The tiles a batch of `batch` is computed in, for `workers` workers.
  public func tiles(batch: Int, geometry g: ConvolutionGeometry, workers: Int = 1)
    -> [ConvolutionTile]
  {
    let all = 0..<g.outputHeight
    if isPointwise(g) {
      return (0..<batch).map { ConvolutionTile(first: $0, count: 1, rows: all) }
    }
    // Tiles wanted so each product has ≥ minimumColumnsPerGEMM columns, W | tiles.
    let wanted = roundUp(
      Swift.max(workers, (batch * g.outputArea) / minimumColumnsPerGEMM), workers)
    if wanted <= batch && g.outputArea < minimumColumnsPerGEMM {
      // Balanced groups: sizes differ by at most one image.
      return (0..<wanted).map { t in
        let (lo, hi) = (t * batch / wanted, (t + 1) * batch / wanted)
        return ConvolutionTile(first: lo, count: hi - lo, rows: all)
      }
    }
    let widest = Swift.max(1, columnBudget / (g.patchSize * g.outputWidth))
    let narrowest = (minimumColumnsPerGEMM + g.outputWidth - 1) / g.outputWidth
    var bands = ceilDivide(g.outputHeight, Swift.min(g.outputHeight, Swift.max(widest, narrowest)))
    bands = Swift.min(g.outputHeight, Swift.max(bands, ceilDivide(wanted, batch)))
    if (batch * bands) % workers != 0 && bands < g.outputHeight { bands += 1 }
    let height = ceilDivide(g.outputHeight, bands)
    return (0..<batch).flatMap { image in
      Swift.stride(from: 0, to: g.outputHeight, by: height).map {
        ConvolutionTile(first: image, count: 1, rows: $0..<Swift.min($0 + height, g.outputHeight))
      }
    }
  }

  /// Tiles for ∂W alone (∂x by Winograd): groups of whole images whose columns stay in L2
  /// between im2col and the product (at most `weightGradientColumnBudget` floats; one image
  /// when it alone is more), as many groups as a multiple of the workers allows.
  func weightGradientTiles(batch: Int, geometry g: ConvolutionGeometry, workers: Int)
    -> [ConvolutionTile]
  {
    let perImage = g.patchSize * g.outputArea
    guard perImage <= Conv2D.weightGradientColumnBudget, !isPointwise(g) else {
      return tiles(batch: batch, geometry: g, workers: workers)
    }
    let groups = roundUp(
      ceilDivide(batch, Swift.max(1, Conv2D.weightGradientColumnBudget / perImage)), workers)
    return (0..<Swift.min(groups, batch)).map { t in
      let count = Swift.min(groups, batch)
      let (lo, hi) = (t * batch / count, (t + 1) * batch / count)
      return ConvolutionTile(first: lo, count: hi - lo, rows: 0..<g.outputHeight)
    }
  }

  /// 512 KB. Measured on FashionNet's 14×14 layer (groups of two images instead of the
  /// forward's 21, 4.8 MB of columns): training +2 % on one core, Zen 4. That layer's ∂W has
  /// since moved to F(2×2)'s domain; its first layer (one channel, 28×28) now takes groups of
  /// 18, a change within the machine's noise (median +3 % over ten pairs).
  static let weightGradientColumnBudget = 1 << 17

  /// How many workers share `tiles`: the cores, when the tiles divide evenly among them and
  /// the workers' bands of one image cannot overlap in the input gradient except at the one
  /// boundary tile backward defers (see `backward`); else 1 (each product is shared instead).
  func workerCount(for tiles: [ConvolutionTile], _ g: ConvolutionGeometry) -> Int {
    let cores = parallelTiles ? ComputeThreads.workers : 1
    guard cores > 1, tiles.count >= cores, tiles.count % cores == 0 else { return 1 }
    let shortest = tiles.map(\.rows.count).min() ?? 0
    // Input rows reached by a band of h output rows: (h − 1)·s + kH; bands two apart must
    // not meet: kH − 1 − s < h·s.
    return g.kernelHeight - 1 - g.stride < shortest * g.stride ? cores : 1
  }
}

/// ⌈a / b⌉ for positive b.
func ceilDivide(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

/// The smallest multiple of `m` that is ≥ `a`.
func roundUp(_ a: Int, _ m: Int) -> Int { ceilDivide(a, m) * m }
