// ConvTranspose2D: the transposed convolution (the adjoint of Conv2D's input gradient), the
// U-Net's learned 2× upsampling. Each input pixel scatters a kH×kW patch of each output
// channel, weighted, into the output: sgemm to columns, then col2im (fold).
// N = batch, C = input channels, O = output channels, H×W = input size, H'×W' = output size,
// kH×kW = kernel, s = stride, p = padding, K = O·kH·kW, Q = H·W, G = images per sgemm.
//
// The geometry is Conv2D's seen from the other side: a Conv2D with this kernel, stride and
// padding maps an [O, H', W'] image to [·, H, W], so forward is that layer's input gradient
// (fold) and backward its forward (unfold). Small inputs are grouped as in Conv2D, and the
// groups shared between the cores (each worker with single-threaded BLAS).

/// A transposed 2-D convolution with bias.
///
/// `[N, C, H, W] → [N, O, H', W']`, H' = (H − 1)·s − 2p + kH + outputPadding (likewise W').
/// `weight` is `[C, O, kH, kW]` and `bias` `[O]`, as in PyTorch's `ConvTranspose2d`.
public final class ConvTranspose2D: Layer {
  /// `[C, O, kH, kW]`.
  public let weight: Parameter
  /// `[O]`.
  public let bias: Parameter
  /// s, along both axes.
  public let stride: Int
  /// p: rows/columns trimmed from every side of the full output.
  public let padding: Int
  /// Extra rows/columns added at the bottom/right (PyTorch's `output_padding`, < s).
  public let outputPadding: Int
  /// Inputs with fewer pixels than this are grouped so each sgemm has this many columns.
  public var minimumColumnsPerGEMM = 4096

  /// Whether groups of images are shared between the cores (as Conv2D.parallelTiles).
  public var parallelGroups = true

  private var input = Tensor(zeros: [0])
  /// One set of scratch buffers per worker.
  private var workspaces: [GroupWorkspace] = []

  /// A worker's scratch memory, allocated once and reused.
  final class GroupWorkspace {
    /// `[K, G·Q]`: the scattered patches (forward) or the unfolded output gradient (backward).
    let columns = Workspace()
    /// `[C, G·Q]`: a group's input (both passes), side by side.
    let gathered = Workspace()
    /// `[C, G·Q]`: a group's input gradient before it is put back in `[G, C, Q]` order.
    let staging = Workspace()
    /// `[C, K]`: this worker's share of ∂W (worker 0 adds into the parameter directly).
    let weightGradient = Workspace()
  }

  /// A transposed convolution with a square kernel and seeded He-normal weights; the fan-in
  /// is C·k·k / s², the number of input values each output pixel receives.
  public init(
    _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1,
    padding: Int = 0, outputPadding: Int = 0, initializer: Initializer = .heNormal,
    using generator: inout some RandomNumberGenerator
  ) {
    precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0)
    precondition(padding >= 0 && outputPadding >= 0 && outputPadding < stride)
    let area = kernelSize * kernelSize
    weight = Parameter(
      initializer.make(
        shape: [inputChannels, outputChannels, kernelSize, kernelSize],
        fanIn: Swift.max(1, inputChannels * area / (stride * stride)),
        fanOut: outputChannels * area, using: &generator))
    bias = Parameter(Tensor(zeros: [outputChannels]), role: .bias)
    (self.stride, self.padding, self.outputPadding) = (stride, padding, outputPadding)
  }

  /// A transposed convolution with the given weights `[C, O, kH, kW]` and bias `[O]`.
  public init(
    weight: Tensor, bias: Tensor, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0
  ) {
    precondition(weight.rank == 4 && bias.shape == [weight.shape[1]], "ConvTranspose2D shapes")
    precondition(stride > 0 && padding >= 0 && outputPadding >= 0 && outputPadding < stride)
    self.weight = Parameter(weight)
    self.bias = Parameter(bias, role: .bias)
    (self.stride, self.padding, self.outputPadding) = (stride, padding, outputPadding)
  }

  /// C.
  public var inputChannels: Int { weight.value.shape[0] }
  /// O.
  public var outputChannels: Int { weight.value.shape[1] }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    [("weight", weight), ("bias", bias)]
  }

  /// The sweep of the kernel over the *output* `[O, H', W']` that lands on the input `[H, W]`.
  public func geometry(forInput shape: [Int]) -> ConvolutionGeometry {
    precondition(
      shape.count == 4 && shape[1] == inputChannels,
      "ConvTranspose2D(\(inputChannels)→\(outputChannels)) needs [N, \(inputChannels), H, W], "
        + "got \(shape)")
    let (kH, kW) = (weight.value.shape[2], weight.value.shape[3])
    let outH = (shape[2] - 1) * stride - 2 * padding + kH + outputPadding
    let outW = (shape[3] - 1) * stride - 2 * padding + kW + outputPadding
    precondition(outH > 0 && outW > 0, "ConvTranspose2D: empty output for input \(shape)")
    return ConvolutionGeometry(
      channels: outputChannels, height: outH, width: outW, kernelHeight: kH, kernelWidth: kW,
      stride: stride, padTop: padding, padLeft: padding, outputHeight: shape[2],
      outputWidth: shape[3])
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let g = geometry(forInput: input.shape)
    let (n, c, q, k) = (input.shape[0], inputChannels, g.outputArea, g.patchSize)
    if mode == .training { self.input = input }
    let shape = [n, outputChannels, g.height, g.width]
    guard n > 0 else { return Tensor(zeros: shape) }
    let (groups, workers) = plan(batch: n, area: q)
    let spaces = workspaces(workers)
    // Every output value is written (the bias, then the patches added): no zeroing pass.
    return Tensor(uninitializedShape: shape) { y in
      input.withUnsafeBufferPointer { x in
        weight.value.withUnsafeBufferPointer { w in
          let (x, w, y) = (x.baseAddress!, w.baseAddress!, y.baseAddress!)
          ComputeThreads.parallel(workers) { worker in
            let share = groups.count / workers
            for (first, count) in groups[(worker * share)..<((worker + 1) * share)] {
              let space = spaces[worker]
              let columns = space.columns.reserve(k * count * q)
              let images = ConvTranspose2D.interleave(
                x + first * c * q, count: count, channels: c, area: q,
                into: count > 1 ? space.gathered.reserve(c * count * q) : nil)
              // cols = Wᵀ·x: [K, C] × [C, G·Q] → [K, G·Q].
              GEMM.multiply(w, transposeA: true, images, into: columns, m: k, n: count * q, k: c)
              for i in 0..<count {
                foldImage(
                  columns + i * q, rowStride: count * q, g,
                  into: y + (first + i) * outputChannels * g.imageArea)
              }
            }
          }
        }
      }
    }
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let g = geometry(forInput: input.shape)
    let (n, c, q, k) = (input.shape[0], inputChannels, g.outputArea, g.patchSize)
    precondition(
      outputGradient.shape == [n, outputChannels, g.height, g.width],
      "ConvTranspose2D backward: gradient \(outputGradient.shape) does not match the output")
    var inputGradient = Tensor(zeros: input.shape)
    guard n > 0 else { return inputGradient }
    let (groups, workers) = plan(batch: n, area: q)
    let spaces = workspaces(workers)
    input.withUnsafeBufferPointer { x in
      outputGradient.withUnsafeBufferPointer { dy in
        Conv2D.addChannelSums(
          dy.baseAddress!, n: n, c: outputChannels, area: g.imageArea, into: bias)
        weight.value.withUnsafeBufferPointer { w in
          weight.gradient.withUnsafeMutableBufferPointer { dw in
            inputGradient.withUnsafeMutableBufferPointer { dx in
              let (x, dy, w, dx) = (
                x.baseAddress!, dy.baseAddress!, w.baseAddress!, dx.baseAddress!
              )
              ComputeThreads.parallel(workers) { worker in
                let space = spaces[worker]
                // Worker 0 adds into ∂W; the others into their own [C, K], summed below.
                let partial = worker == 0 ? dw.baseAddress! : space.weightGradient.reserve(c * k)
                if worker > 0 { partial.update(repeating: 0, count: c * k) }
                let share = groups.count / workers
                for (first, count) in groups[(worker * share)..<((worker + 1) * share)] {
                  backwardGroup(first, count, g, x, dy, w, partial, dx, space)
                }
              }
              for worker in 1..<Swift.max(workers, 1) {
                let partial = spaces[worker].weightGradient.reserve(c * k)
                for i in 0..<(c * k) { dw[i] += partial[i] }
              }
            }
          }
        }
      }
    }
    return inputGradient
  }

  /// One group of backward: ∂W += x·colsᵀ into `dw`, ∂x = W·cols, cols = unfold(∂y).
  private func backwardGroup(
    _ first: Int, _ count: Int, _ g: ConvolutionGeometry, _ x: UnsafePointer<Float>,
    _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, _ space: GroupWorkspace
  ) {
    let (c, q, k) = (inputChannels, g.outputArea, g.patchSize)
    let columns = space.columns.reserve(k * count * q)
    for i in 0..<count {
      let image = dy + (first + i) * outputChannels * g.imageArea
      Im2Col.unfold(image, g, into: columns + i * q, rowStride: count * q)
    }
    let images = ConvTranspose2D.interleave(
      x + first * c * q, count: count, channels: c, area: q,
      into: count > 1 ? space.gathered.reserve(c * count * q) : nil)
    // ∂W += x·colsᵀ: [C, G·Q] × [G·Q, K] → [C, K].
    GEMM.multiply(images, columns, transposeB: true, into: dw, m: c, n: k, k: count * q, beta: 1)
    // ∂x = W·cols: [C, K] × [K, G·Q] → [C, G·Q], then back to [G, C, Q].
    let target = dx + first * c * q
    let staging = count > 1 ? space.staging.reserve(c * count * q) : nil
    GEMM.multiply(w, columns, into: staging ?? target, m: c, n: count * q, k: k)
    if let staging {
      ConvTranspose2D.deinterleave(staging, count: count, channels: c, area: q, into: target)
    }
  }

  /// The groups (first image, count) of a batch of `batch` inputs of `area` pixels, and how
  /// many workers share them: about minimumColumnsPerGEMM columns per group, the group count
  /// a multiple of the cores when the batch allows (else one worker with threaded BLAS).
  func plan(batch: Int, area: Int) -> (groups: [(Int, Int)], workers: Int) {
    let cores = parallelGroups ? ComputeThreads.workers : 1
    var count = Swift.min(batch, Swift.max(1, batch * area / minimumColumnsPerGEMM))
    if cores > 1 && batch >= cores { count = Swift.min(roundUp(count, cores), batch) }
    let groups = (0..<count).map { t in
      (t * batch / count, (t + 1) * batch / count - t * batch / count)
    }
    return (groups, cores > 1 && count % cores == 0 ? cores : 1)
  }

  /// The workspaces of `workers` workers, created on first use.
  private func workspaces(_ workers: Int) -> [GroupWorkspace] {
    while workspaces.count < workers { workspaces.append(GroupWorkspace()) }
    return workspaces
  }

  /// One image's output `[O, H', W']`: the bias, then its scattered patches `columns` (rows
  /// `rowStride` apart) folded in. The output channels are shared between the cores when this
  /// runs outside a parallel job (a lone image, whose product was shared): a nested call runs
  /// on its worker alone.
  private func foldImage(
    _ columns: UnsafeMutablePointer<Float>, rowStride: Int, _ g: ConvolutionGeometry,
    into target: UnsafeMutablePointer<Float>
  ) {
    let (o, patch) = (outputChannels, g.kernelHeight * g.kernelWidth)
    let parts = Swift.min(ComputeThreads.workers, o)
    bias.value.withUnsafeBufferPointer { b in
      ComputeThreads.parallel(parts) { part in
        let channels = (part * o / parts)..<((part + 1) * o / parts)
        for channel in channels {
          (target + channel * g.imageArea).update(repeating: b[channel], count: g.imageArea)
        }
        var share = g
        share.channels = channels.count
        Im2Col.fold(
          columns + channels.lowerBound * patch * rowStride, rowStride: rowStride, share,
          into: target + channels.lowerBound * g.imageArea)
      }
    }
  }

  /// `[G, C, Q]` → `[C, G·Q]` into `gathered`; with one image (nil `gathered`), the images.
  static func interleave(
    _ images: UnsafePointer<Float>, count: Int, channels: Int, area: Int,
    into gathered: UnsafeMutablePointer<Float>?
  ) -> UnsafePointer<Float> {
    guard let gathered, count > 1 else { return images }
    for channel in 0..<channels {
      for i in 0..<count {
        (gathered + (channel * count + i) * area).update(
          from: images + (i * channels + channel) * area, count: area)
      }
    }
    return UnsafePointer(gathered)
  }

  /// `[C, G·Q]` → `[G, C, Q]`.
  static func deinterleave(
    _ staging: UnsafePointer<Float>, count: Int, channels: Int, area: Int,
    into images: UnsafeMutablePointer<Float>
  ) {
    for channel in 0..<channels {
      for i in 0..<count {
        (images + (i * channels + channel) * area).update(
          from: staging + (channel * count + i) * area, count: area)
      }
    }
  }
}
