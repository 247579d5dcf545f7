// Conv2D's Winograd path (Kernels/Winograd.swift): the batch's 2×2 output tiles cut into
// blocks whose transformed tiles fit in cache, shared between the workers.

extension Conv2D {
  /// Whether forward computes an input of this shape by Winograd's method.
  public func winogradApplies(toInput shape: [Int]) -> Bool {
    usesWinograd && shape.first != 0 && Winograd.applies(to: geometry(forInput: shape), outputs: outputChannels)
  }

  /// Transformed tiles per block so that V and M (16·(C + O)·T floats) stay around half a
  /// megabyte — in a core's L2 — but the 16 products are not too thin for sgemm.
  static func winogradBlockTiles(channels: Int, outputs: Int) -> Int {
    Swift.max(64, Swift.min(512, (1 << 17) / (16 * (channels + outputs)) * 16))
  }

  func winogradForward(
    _ input: Tensor, _ g: ConvolutionGeometry, epilogue: ConvolutionEpilogue
  ) -> Tensor {
    let (n, c, o) = (input.shape[0], g.channels, outputChannels)
    let tiling = Winograd.Tiling(g)
    let total = n * tiling.perImage
    let workers = ComputeThreads.workers
    let wanted = Conv2D.winogradBlockTiles(channels: c, outputs: o)
    let blockCount = roundUp(ceilDivide(total, wanted), workers)
    let blockTiles = ceilDivide(total, blockCount)
    let blocks = Swift.stride(from: 0, to: total, by: blockTiles).map {
      $0..<Swift.min($0 + blockTiles, total)
    }
    while winogradSpaces.count < workers { winogradSpaces.append(Winograd.Workspace()) }
    let spaces = winogradSpaces
    let u = winogradWeights.reserve(16 * o * c)
    weight.value.withUnsafeBufferPointer { w in
      Winograd.transformWeights(w.baseAddress!, outputs: o, channels: c, into: u)
    }
    return Tensor(uninitializedShape: [n, o, g.outputHeight, g.outputWidth]) { y in
      input.withUnsafeBufferPointer { x in
        let (x, y) = (x.baseAddress!, y.baseAddress!)
        ComputeThreads.parallel(Swift.min(workers, blocks.count)) { worker in
          for block in Swift.stride(from: worker, to: blocks.count, by: workers) {
            Winograd.computeBlock(
              blocks[block], g, outputs: o, tiling: tiling, x: x, u: u, y: y,
              epilogue: epilogue, space: spaces[worker])
          }
        }
      }
    }
  }
}
