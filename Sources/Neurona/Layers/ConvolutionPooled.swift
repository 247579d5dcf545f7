// Conv2D followed by a 2×2 max-pool of stride 2, in one pass at inference (InferenceFusion
// .swift): the convolution's output is pooled as it is computed and never stored. A 3×3
// "same" convolution of small images with enough channels (Fashion-MNIST's second layer) goes
// to NeuronaAVX2's PooledWinograd — F(2×2, 3×3), whose output tiles are the pooling windows —
// a group of images at a time; other stride-1 convolutions to the direct path, which pools
// each band (ConvolutionDirect.swift).
import NeuronaAVX2

extension Conv2D {
  /// Whether `forwardPooled` can take an input of this shape.
  public func poolingApplies(toInput shape: [Int]) -> Bool {
    shape.first != 0 && (pooledWinogradApplies(toInput: shape) || directApplies(toInput: shape))
  }

  /// Whether `forwardPooled` computes an input of this shape by the pooled F(2×2, 3×3).
  public func pooledWinogradApplies(toInput shape: [Int]) -> Bool {
    guard usesWinograd, CPUFeatures.hasAVX2AndFMA, shape.first != 0 else { return false }
    let g = geometry(forInput: shape)
    return g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padTop == 1
      && g.padLeft == 1 && g.outputHeight == g.height && g.outputWidth == g.width
      && g.height >= 2 && g.width >= 2 && g.channels >= 8 && outputChannels >= 6
      && g.channels * (g.height + 2) * (g.width + 2) <= 1 << 16
  }

  /// The convolution through `epilogue`, then a 2×2 max-pool of stride 2: `[N, O, H'/2,
  /// W'/2]` (floor), as MaxPool2D after `forward(_:epilogue:)` gives it. Only where
  /// `poolingApplies(toInput:)`.
  public func forwardPooled(_ input: Tensor, epilogue: ConvolutionEpilogue) -> Tensor {
    precondition(poolingApplies(toInput: input.shape), "Conv2D.forwardPooled: no pooled path")
    let g = geometry(forInput: input.shape)
    if pooledWinogradApplies(toInput: input.shape) {
      return pooledWinogradForward(input, g, epilogue: epilogue)
    }
    return directForward(input, g, epilogue: epilogue, pooled: true)
  }

  private func pooledWinogradForward(
    _ input: Tensor, _ g: ConvolutionGeometry, epilogue: ConvolutionEpilogue
  ) -> Tensor {
    let (n, o, c) = (input.shape[0], outputChannels, inputChannels)
    let u = pooledWinogradWeights.reserve(PooledWinograd.weightCount(outputs: o, channels: c))
    if pooledWinogradWeightsVersion != weight.version {
      weight.value.withUnsafeBufferPointer { w in
        PooledWinograd.transformWeights(w.baseAddress!, outputs: o, channels: c, into: u)
      }
      pooledWinogradWeightsVersion = weight.version
    }
    // The padded images are padBand's whole-image bands: planes of H + 2 rows of W + 2.
    let wp = g.width + 2
    let layout = PooledWinograd.Layout(
      channels: c, imageStride: c * (g.height + 2) * wp, planeStride: (g.height + 2) * wp,
      paddedWidth: wp, tileRows: g.height / 2, tilesPerRow: g.width / 2)
    // Groups of images with whole strips (two units each), cut into strip ranges when there
    // are fewer groups than workers.
    let units = layout.unitsPerImage
    let groupSize = units % 2 == 0 ? 1 : 2
    let workers = ComputeThreads.workers
    let groups = ceilDivide(n, groupSize)
    let cuts = groups >= workers ? 1 : ceilDivide(workers, groups)
    let tasks = (0..<groups).flatMap { group -> [(first: Int, count: Int, strips: Range<Int>)] in
      let (first, count) = (group * groupSize, Swift.min(groupSize, n - group * groupSize))
      let strips = ceilDivide(count * units, 2)
      return (0..<cuts).map { cut in
        (first, count, (cut * strips / cuts)..<((cut + 1) * strips / cuts))
      }
    }
    let paddedCount = groupSize * layout.imageStride + PooledWinograd.slack
    let spaces = workspaces(workers).map {
      ($0.columns.reserve(paddedCount), $0.staging.reserve(PooledWinograd.scratchCount(channels: c)))
    }
    let last = Winograd.Epilogue(
      scale: epilogue.scale, shift: epilogue.shift, rectifies: epilogue.rectifies)
    let pooledArea = layout.tileRows * layout.tilesPerRow
    let whole = 0..<g.outputHeight
    return Tensor(uninitializedShape: [n, o, layout.tileRows, layout.tilesPerRow]) { y in
      input.withUnsafeBufferPointer { x in
        let (x, y) = (x.baseAddress!, y.baseAddress!)
        ComputeThreads.parallel(Swift.min(workers, tasks.count)) { worker in
          let (padded, scratch) = spaces[worker]
          for index in Swift.stride(from: worker, to: tasks.count, by: workers) {
            let task = tasks[index]
            for image in 0..<task.count {
              padBand(
                x + (task.first + image) * g.channels * g.imageArea, whole, g,
                into: padded + image * layout.imageStride)
            }
            let end = padded + task.count * layout.imageStride
            end.update(repeating: 0, count: PooledWinograd.slack)
            PooledWinograd.compute(
              strips: task.strips, layout, outputs: o, x: padded, u: u, epilogue: last,
              y: y + task.first * o * pooledArea, units: task.count * units, scratch: scratch)
          }
        }
      }
    }
  }
}
