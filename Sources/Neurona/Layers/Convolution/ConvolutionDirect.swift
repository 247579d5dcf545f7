// Conv2D's direct path (NeuronaKernels/DirectConvolution.swift) for the stride-1 convolutions
// Winograd does not take — Fashion-MNIST's 28×28 and 14×14 layers, a network's first layer:
// each tile (a band of output rows of one image) copies its input rows into a zero-padded
// buffer, the kernel reads them in place, and the epilogue lands the rows in the output.
// Against im2col + product this skips building the K × P column matrix and copying it again
// into the product's strips. On a processor without AVX2 and FMA the layer uses im2col.
import NeuronaAVX2
import NeuronaKernels

extension Conv2D {
  /// Whether forward computes an input of this shape directly (no Winograd path takes it).
  public func directApplies(toInput shape: [Int]) -> Bool {
    !winogradApplies(toInput: shape) && !winograd2x2Applies(toInput: shape)
      && directApplies(to: geometry(forInput: shape))
  }

  /// Whether forward computes a convolution of this geometry directly (if no Winograd path
  /// takes it): the CPU runs the AVX2 kernels, the stride is 1, and the image is not its own
  /// column matrix already.
  func directApplies(to g: ConvolutionGeometry) -> Bool {
    usesDirectConvolution && CPUFeatures.hasAVX2AndFMA && g.stride == 1 && !isPointwise(g)
  }

  /// The output rows per tile: the band's padded input and output fit in about 256 KB (half
  /// of this CPU's L2), and with fewer images than workers each image is cut so all work.
  /// Even when pooled, so no window straddles two bands.
  private func directBandRows(
    _ g: ConvolutionGeometry, batch: Int, workers: Int, pooled: Bool
  ) -> Int {
    let wp = g.outputWidth + g.kernelWidth - 1
    let perRow = (g.channels + DirectConvolution.outputRows(outputChannels)) * wp
    var rows = Swift.min(g.outputHeight, Swift.max(1, (1 << 16) / perRow))
    if batch < workers { rows = Swift.min(rows, ceilDivide(g.outputHeight, workers)) }
    return pooled ? Swift.max(2, roundUp(rows, 2)) : rows
  }

  func directForward(
    _ input: Tensor, _ g: ConvolutionGeometry, epilogue: ConvolutionEpilogue,
    pooled: Bool = false
  ) -> Tensor {
    let (n, o) = (input.shape[0], outputChannels)
    let workers = ComputeThreads.workers
    let bandRows = directBandRows(g, batch: n, workers: workers, pooled: pooled)
    let tiles = (0..<n).flatMap { image in
      Swift.stride(from: 0, to: g.outputHeight, by: bandRows).map { row in
        ConvolutionTile(
          first: image, count: 1, rows: row..<Swift.min(row + bandRows, g.outputHeight))
      }
    }
    let wp = g.outputWidth + g.kernelWidth - 1
    let paddedCount =
      g.channels * (bandRows + g.kernelHeight - 1) * wp
      + DirectConvolution.slack(kernelWidth: g.kernelWidth, blockWidth: directBlockWidth)
    let columns = DirectConvolution.columns(
      rows: bandRows, paddedWidth: wp, blockWidth: directBlockWidth)
    let outputCount = DirectConvolution.outputRows(o) * columns
    let spaces = workspaces(workers).map {
      ($0.columns.reserve(paddedCount), $0.staging.reserve(outputCount))
    }
    let packed = packedWeightsForKernels(depth: g.patchSize)!
    let (outH, outW) =
      pooled ? (g.outputHeight / 2, g.outputWidth / 2) : (g.outputHeight, g.outputWidth)
    return Tensor(uninitializedShape: [n, o, outH, outW]) { y in
      input.withUnsafeBufferPointer { x in
        let (x, y) = (x.baseAddress!, y.baseAddress!)
        let compute = ConvolutionKernels.active.directConvolution
        ComputeThreads.parallel(Swift.min(workers, tiles.count)) { worker in
          let (padded, staging) = spaces[worker]
          for index in Swift.stride(from: worker, to: tiles.count, by: workers) {
            let tile = tiles[index]
            let plane = (tile.rows.count + g.kernelHeight - 1) * wp
            padBand(x + tile.first * g.channels * g.imageArea, tile.rows, g, into: padded)
            compute(
              packed, o, g.channels, g.kernelHeight, g.kernelWidth, padded, plane, wp,
              tile.rows.count, staging, columns)
            let image = y + tile.first * o * outH * outW
            if pooled {
              poolBand(staging, rowStride: columns, tile.rows, g, epilogue, into: image)
            } else {
              landBand(staging, rowStride: columns, tile.rows, g, epilogue, into: image)
            }
          }
        }
      }
    }
  }

  /// Copies the input rows output rows `rows` read, zero-padded to width W' + kW − 1, into
  /// `padded` (`[C][|rows| + kH − 1][wp]`, then the kernel's slack, zeroed).
  func padBand(
    _ image: UnsafePointer<Float>, _ rows: Range<Int>, _ g: ConvolutionGeometry,
    into padded: UnsafeMutablePointer<Float>
  ) {
    let wp = g.outputWidth + g.kernelWidth - 1
    let planeRows = rows.count + g.kernelHeight - 1
    let copied = Swift.min(g.width, wp - g.padLeft)
    // Zeros everywhere, then the image's rows: one memset, and plain loops for the rows
    // (14 to a few hundred floats), not a memcpy call each.
    padded.update(
      repeating: 0,
      count: g.channels * planeRows * wp
        + DirectConvolution.slack(kernelWidth: g.kernelWidth, blockWidth: directBlockWidth))
    let firstRow = Swift.max(0, g.padTop - rows.lowerBound)
    let lastRow = Swift.min(planeRows, g.height + g.padTop - rows.lowerBound)
    for channel in 0..<g.channels {
      let source = image + channel * g.imageArea
      for row in firstRow..<Swift.max(firstRow, lastRow) {
        let target = padded + (channel * planeRows + row) * wp + g.padLeft
        let from = source + (rows.lowerBound + row - g.padTop) * g.width
        for x in 0..<copied { target[x] = from[x] }
      }
    }
  }

  /// Moves the kernel's flat rows (`[O'][columns]`, output row r at r·wp) to output rows
  /// `rows` of `image` `[O, H', W']`, through the epilogue.
  private func landBand(
    _ staging: UnsafeMutablePointer<Float>, rowStride: Int, _ rows: Range<Int>,
    _ g: ConvolutionGeometry, _ epilogue: ConvolutionEpilogue,
    into image: UnsafeMutablePointer<Float>
  ) {
    let (wp, width) = (g.outputWidth + g.kernelWidth - 1, g.outputWidth)
    for channel in 0..<outputChannels {
      let target = image + channel * g.outputArea + rows.lowerBound * width
      let source = staging + channel * rowStride
      for row in 0..<rows.count {
        let (to, from) = (target + row * width, source + row * wp)
        for x in 0..<width { to[x] = from[x] }
      }
      epilogue.apply(target, count: rows.count * width, channel: channel)
    }
  }

  /// As `landBand`, pooled 2×2: output rows `rows` (an even first row) of the convolution
  /// become rows `rows / 2` of `image` `[O, H'/2, W'/2]`.
  private func poolBand(
    _ staging: UnsafeMutablePointer<Float>, rowStride: Int, _ rows: Range<Int>,
    _ g: ConvolutionGeometry, _ epilogue: ConvolutionEpilogue,
    into image: UnsafeMutablePointer<Float>
  ) {
    let wp = g.outputWidth + g.kernelWidth - 1
    let (outH, outW) = (g.outputHeight / 2, g.outputWidth / 2)
    let pooledRows = Swift.min(outH, rows.upperBound / 2) - rows.lowerBound / 2
    for channel in 0..<outputChannels {
      let (source, target) = (
        staging + channel * rowStride, image + channel * outH * outW + rows.lowerBound / 2 * outW
      )
      // A map that never decreases (scale ≥ 0, then a ReLU or nothing; not a hard-swish)
      // commutes with the max: applied after pooling it touches a quarter of the values.
      let poolsFirst = (epilogue.scale?[channel] ?? 1) >= 0 && !epilogue.hardSwishes
      if !poolsFirst { epilogue.apply(source, count: 2 * pooledRows * wp, channel: channel) }
      MaxPoolPlane.pool2x2(
        source, outputHeight: pooledRows, outputWidth: outW, rowStride: wp, into: target)
      if poolsFirst { epilogue.apply(target, count: pooledRows * outW, channel: channel) }
    }
  }
}

/// Columns per block of the direct kernel the process runs: two vectors.
private var directBlockWidth: Int { 2 * ConvolutionKernels.active.lanes }
