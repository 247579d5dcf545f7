// Conv2D's Winograd path (NeuronaKernels/Winograd.swift): the batch's 4×4 output tiles cut into
// blocks whose transformed tiles fit in cache, shared between the workers. It computes the
// forward pass and, in training, the input gradient: for a 3×3 stride-1 convolution padded
// by 1, ∂x is itself a 3×3 convolution padded by 1 — of ∂y, with each filter turned by 180°
// and the input and output channels swapped — which saves backward's column-gradient product
// and col2im; and ∂W, in Winograd's domain (NeuronaKernels/WinogradWeightGradient.swift).
// On a processor without AVX2 and FMA the layer uses im2col throughout.
import NeuronaAVX2
import NeuronaKernels

extension Conv2D {
  /// Whether forward computes an input of this shape by Winograd's method.
  public func winogradApplies(toInput shape: [Int]) -> Bool {
    usesWinograd && shape.first != 0
      && Conv2D.winogradApplies(to: geometry(forInput: shape), outputs: outputChannels)
  }

  /// Whether backward computes ∂x for an input of this shape by Winograd's method.
  public func winogradAppliesToInputGradient(ofInput shape: [Int]) -> Bool {
    guard usesWinograd, computesInputGradient, shape.first != 0 else { return false }
    let g = geometry(forInput: shape)
    return g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padTop == 1
      && g.padLeft == 1 && g.outputHeight == g.height && g.outputWidth == g.width
      && Conv2D.winogradApplies(to: gradientGeometry(g), outputs: inputChannels)
  }

  /// Whether backward computes ∂W for an input of this shape by Winograd's method
  /// (NeuronaKernels/WinogradWeightGradient.swift): wherever forward does.
  public func winogradAppliesToWeightGradient(ofInput shape: [Int]) -> Bool {
    winogradApplies(toInput: shape)
  }

  /// Whether a convolution of this geometry is computed by Winograd's method: the CPU runs
  /// the AVX2 kernels; 3×3, stride 1; enough channels for the 36 products not to be too
  /// thin; and images big enough (or channels many enough) for the transforms to pay.
  /// Measured: on UNetSmall faster than im2col from 16 input channels on; slower on a
  /// 3-channel first layer and on Fashion-MNIST's 14×14 images (half the speed at 32
  /// channels).
  static func winogradApplies(to g: ConvolutionGeometry, outputs: Int) -> Bool {
    CPUFeatures.hasAVX2AndFMA && g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1
      && g.channels >= 16 && outputs >= 8 && (g.outputArea >= 32 * 32 || g.channels >= 128)
  }

  /// The geometry of ∂x = ∂y ⋆ rot180(W)ᵀ: ∂y's O channels in, C out, padded by 1.
  private func gradientGeometry(_ g: ConvolutionGeometry) -> ConvolutionGeometry {
    ConvolutionGeometry(
      channels: outputChannels, height: g.outputHeight, width: g.outputWidth, kernelHeight: 3,
      kernelWidth: 3, stride: 1, padTop: 1, padLeft: 1, outputHeight: g.height,
      outputWidth: g.width)
  }

  /// Tiles per block: V and M take 36·(C + O)·T floats, and the products want T large.
  static func winogradBlockTiles(channels: Int, outputs: Int) -> Int {
    Swift.max(64, Swift.min(512, (1 << 17) / (Winograd.points * (channels + outputs)) * 16))
  }

  func winogradForward(
    _ input: Tensor, _ g: ConvolutionGeometry, epilogue: ConvolutionEpilogue
  ) -> Tensor {
    // At inference the weights stay put from call to call: transform them once.
    let (o, c) = (outputChannels, inputChannels)
    let count = Winograd.weightCount(outputs: o, channels: c)
    let u = winogradWeights.get(count, from: weight) { u in
      weight.value.withUnsafeBufferPointer { w in
        Winograd.transformWeights(w.baseAddress!, outputs: o, channels: c, into: u)
      }
    }
    return winogradConvolve(input, g, outputs: o, u: u, epilogue: epilogue)
  }

  /// ∂x for the output gradient `dy` `[N, O, H, W]` of the input `[N, C, H, W]`.
  func winogradInputGradient(_ dy: Tensor, _ g: ConvolutionGeometry) -> Tensor {
    let (o, c) = (outputChannels, inputChannels)
    let turned = turnWeights()
    let u = winogradGradientWeights.reserve(Winograd.weightCount(outputs: c, channels: o))
    Winograd.transformWeights(turned, outputs: c, channels: o, into: u)
    return winogradConvolve(
      dy, gradientGeometry(g), outputs: c, u: u, epilogue: ConvolutionEpilogue())
  }

  /// Adds ∂W for the input `x` (geometry `g`) and output gradient `dy` into the weights'
  /// gradient: the workers share the batch's tiles in blocks as forward does, each summing
  /// its blocks' 36 products ∂M[ξ]·V[ξ]ᵀ into its own ∂U; then the sum goes back through G.
  func winogradAddWeightGradient(_ x: Tensor, _ dy: Tensor, _ g: ConvolutionGeometry) {
    let (o, c) = (outputChannels, inputChannels)
    let plan = winogradPlan(g, batch: x.shape[0], outputs: o)
    let (blocks, sharing, points) = (plan.blocks, plan.spaces.count, Winograd.points)
    let sums = winogradSpaces.prefix(sharing).map { $0.weightGradient.reserve(points * o * c) }
    x.withUnsafeBufferPointer { x in
      dy.withUnsafeBufferPointer { dy in
        let (x, dy) = (x.baseAddress!, dy.baseAddress!)
        let transform = ConvolutionKernels.active.winogradGradientBlock
        ComputeThreads.parallel(sharing) { worker in
          let ((v, dm, rows), du) = (plan.spaces[worker], sums[worker])
          du.update(repeating: 0, count: points * o * c)
          for index in Swift.stride(from: worker, to: blocks.count, by: sharing) {
            let block = blocks[index]
            transform(block, plan.geometry, o, x, dy, v, dm, rows)
            let stride = Winograd.tileStride(block.count)
            for xi in 0..<points {
              // ∂U[ξ] += ∂M[ξ]·V[ξ]ᵀ: [O, T] × [T, C].
              GEMM.multiply(
                dm + xi * o * stride, v + xi * c * stride, transposeB: true, into: du + xi * o * c,
                m: o, n: c, k: block.count, beta: 1, rowStrideA: stride, rowStrideB: stride)
            }
          }
        }
      }
    }
    let sum = sums[0]
    for partial in sums.dropFirst() {
      for i in 0..<(points * o * c) { sum[i] += partial[i] }
    }
    weight.gradient.withUnsafeMutableBufferPointer { dw in
      Winograd.addWeightGradient(sum, outputs: o, channels: c, into: dw.baseAddress!)
    }
  }

  /// The batch's tiles for `batch` images of geometry `g` into `outputs` channels, cut into
  /// blocks whose V and M fit in cache, as many blocks as a multiple of the workers; and the
  /// scratch (V, M, rows) of each worker that gets a block. Forward, ∂x and ∂W share it.
  private func winogradPlan(_ g: ConvolutionGeometry, batch n: Int, outputs o: Int) -> (
    geometry: Winograd.Geometry, blocks: [Range<Int>],
    spaces: [(
      UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>
    )]
  ) {
    let geometry = Winograd.Geometry(
      channels: g.channels, height: g.height, width: g.width, padTop: g.padTop,
      padLeft: g.padLeft, outputHeight: g.outputHeight, outputWidth: g.outputWidth)
    let total = n * Winograd.Tiling(geometry).perImage
    let workers = ComputeThreads.workers
    let wanted = Conv2D.winogradBlockTiles(channels: g.channels, outputs: o)
    let blockCount = roundUp(ceilDivide(total, wanted), workers)
    let blockTiles = ceilDivide(total, blockCount)
    let blocks = Swift.stride(from: 0, to: total, by: blockTiles).map {
      $0..<Swift.min($0 + blockTiles, total)
    }
    let sizes = Winograd.scratch(geometry, outputs: o, tiles: blockTiles)
    let sharing = Swift.min(workers, blocks.count)
    while winogradSpaces.count < sharing { winogradSpaces.append(WinogradWorkspace()) }
    let spaces = winogradSpaces.prefix(sharing).map {
      (
        $0.input.reserve(sizes.input), $0.product.reserve(sizes.product),
        $0.rows.reserve(sizes.rows)
      )
    }
    return (geometry, blocks, spaces)
  }

  /// The convolution of `input` (geometry `g`) with transformed weights `u`.
  private func winogradConvolve(
    _ input: Tensor, _ g: ConvolutionGeometry, outputs o: Int, u: UnsafeMutablePointer<Float>,
    epilogue: ConvolutionEpilogue
  ) -> Tensor {
    let n = input.shape[0]
    let plan = winogradPlan(g, batch: n, outputs: o)
    let (blocks, sharing) = (plan.blocks, plan.spaces.count)
    let last = Winograd.Epilogue(
      scale: epilogue.scale, shift: epilogue.shift, rectifies: epilogue.rectifies)
    return Tensor(uninitializedShape: [n, o, g.outputHeight, g.outputWidth]) { y in
      input.withUnsafeBufferPointer { x in
        let (x, y) = (x.baseAddress!, y.baseAddress!)
        let computeBlock = ConvolutionKernels.active.winogradBlock
        ComputeThreads.parallel(sharing) { worker in
          let (v, m, rows) = plan.spaces[worker]
          for block in Swift.stride(from: worker, to: blocks.count, by: sharing) {
            computeBlock(blocks[block], plan.geometry, o, x, u, y, last, v, m, rows)
          }
        }
      }
    }
  }
}

/// A worker's scratch memory for the Winograd path: V, M (or ∂M) and rows
/// (Winograd.scratch), and in backward its share of ∂U.
final class WinogradWorkspace {
  let input = Workspace()
  let product = Workspace()
  let rows = Workspace()
  let weightGradient = Workspace()
}
