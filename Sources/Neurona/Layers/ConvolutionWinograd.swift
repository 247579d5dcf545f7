// Conv2D's Winograd path (Kernels/Winograd.swift): the batch's 2×2 output tiles cut into
// blocks whose transformed tiles fit in cache, shared between the workers. It computes the
// forward pass and, in training, the input gradient: for a 3×3 stride-1 convolution padded
// by 1, ∂x is itself a 3×3 convolution padded by 1 — of ∂y, with each filter turned by 180°
// and the input and output channels swapped — which saves backward's column-gradient product
// and col2im.

extension Conv2D {
  /// Whether forward computes an input of this shape by Winograd's method.
  public func winogradApplies(toInput shape: [Int]) -> Bool {
    usesWinograd && shape.first != 0
      && Winograd.applies(to: geometry(forInput: shape), outputs: outputChannels)
  }

  /// Whether backward computes ∂x for an input of this shape by Winograd's method.
  public func winogradAppliesToInputGradient(ofInput shape: [Int]) -> Bool {
    guard usesWinograd, computesInputGradient, shape.first != 0 else { return false }
    let g = geometry(forInput: shape)
    return g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padTop == 1
      && g.padLeft == 1 && g.outputHeight == g.height && g.outputWidth == g.width
      && Winograd.applies(to: gradientGeometry(g), outputs: inputChannels)
  }

  /// The geometry of ∂x = ∂y ⋆ rot180(W)ᵀ: ∂y's O channels in, C out, padded by 1.
  private func gradientGeometry(_ g: ConvolutionGeometry) -> ConvolutionGeometry {
    ConvolutionGeometry(
      channels: outputChannels, height: g.outputHeight, width: g.outputWidth, kernelHeight: 3,
      kernelWidth: 3, stride: 1, padTop: 1, padLeft: 1, outputHeight: g.height,
      outputWidth: g.width)
  }

  /// Transformed tiles per block so that V and M (36·(C + O)·T floats) stay around half a
  /// megabyte — in a core's L2 — but the 36 products are not too thin for sgemm.
  static func winogradBlockTiles(channels: Int, outputs: Int) -> Int {
    Swift.max(64, Swift.min(512, (1 << 17) / (Winograd.points * (channels + outputs)) * 16))
  }

  func winogradForward(
    _ input: Tensor, _ g: ConvolutionGeometry, epilogue: ConvolutionEpilogue
  ) -> Tensor {
    // At inference the weights stay put from call to call: transform them once.
    let u = winogradWeights.reserve(Winograd.points * outputChannels * inputChannels)
    if winogradWeightsVersion != weight.version {
      weight.value.withUnsafeBufferPointer { w in
        Winograd.transformWeights(
          w.baseAddress!, outputs: outputChannels, channels: inputChannels, into: u)
      }
      winogradWeightsVersion = weight.version
    }
    return winogradConvolve(input, g, outputs: outputChannels, u: u, epilogue: epilogue)
  }

  /// ∂x for the output gradient `dy` `[N, O, H, W]` of the input `[N, C, H, W]`.
  func winogradInputGradient(_ dy: Tensor, _ g: ConvolutionGeometry) -> Tensor {
    let (o, c) = (outputChannels, inputChannels)
    // W' [C, O, 3, 3]: W'[c, o, i, j] = W[o, c, 2 − i, 2 − j].
    let turned = winogradTurnedWeights.reserve(c * o * 9)
    weight.value.withUnsafeBufferPointer { w in
      for out in 0..<o {
        for channel in 0..<c {
          let (source, target) = (w.baseAddress! + (out * c + channel) * 9,
            turned + (channel * o + out) * 9)
          for tap in 0..<9 { target[tap] = source[8 - tap] }
        }
      }
    }
    let u = winogradGradientWeights.reserve(Winograd.points * o * c)
    Winograd.transformWeights(turned, outputs: c, channels: o, into: u)
    return winogradConvolve(
      dy, gradientGeometry(g), outputs: c, u: u, epilogue: ConvolutionEpilogue())
  }

  /// The convolution of `input` (geometry `g`) with transformed weights `u` `[36][outputs][C]`.
  private func winogradConvolve(
    _ input: Tensor, _ g: ConvolutionGeometry, outputs o: Int, u: UnsafeMutablePointer<Float>,
    epilogue: ConvolutionEpilogue
  ) -> Tensor {
    let n = input.shape[0]
    let tiling = Winograd.Tiling(g)
    let total = n * tiling.perImage
    let workers = ComputeThreads.workers
    let wanted = Conv2D.winogradBlockTiles(channels: g.channels, outputs: o)
    let blockCount = roundUp(ceilDivide(total, wanted), workers)
    let blockTiles = ceilDivide(total, blockCount)
    let blocks = Swift.stride(from: 0, to: total, by: blockTiles).map {
      $0..<Swift.min($0 + blockTiles, total)
    }
    while winogradSpaces.count < workers { winogradSpaces.append(Winograd.Workspace()) }
    let spaces = winogradSpaces
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
