// DepthwiseConv2D: a convolution in which every channel has its own k×k filter and sees only
// itself (depth multiplier 1, PyTorch's `Conv2d(C, C, k, groups=C)`, TensorFlow's
// `DepthwiseConv2D`). MobileNet-style blocks pair it with 1×1 convolutions; it holds C·k² weights
// instead of C²·k², and its work is too thin for sgemm, so it runs as direct loops: for each tap
// (i, j), a whole output row gains w·(a shifted input row), which vectorises at stride 1.
// N = batch, C = channels, H×W = input size, kH×kW = kernel, s = stride, H'×W' = output size.
import NeuronaKernels

/// A depthwise 2-D convolution with bias.
///
/// `[N, C, H, W] → [N, C, H', W']`, H' = (H + padTop + padBottom − kH) / s + 1 (likewise W'),
/// `y[n, c, oy, ox] = b[c] + Σ_{i,j} w[c, 0, i, j] · xpad[n, c, oy·s + i, ox·s + j]`.
/// `weight` is `[C, 1, kH, kW]` and `bias` `[C]`, as in PyTorch's grouped `Conv2d`.
/// With `padding: .same` it is TensorFlow's SAME (odd pad pixel bottom/right).
public final class DepthwiseConv2D: Layer {
  /// `[C, 1, kH, kW]`.
  public let weight: Parameter
  /// `[C]`. Without a bias (`hasBias` false, PyTorch's `bias=False` before a BatchNorm) it stays
  /// zero and is neither saved nor trained, so the kernels need no second form.
  public let bias: Parameter
  /// Whether `bias` is a parameter.
  public let hasBias: Bool
  /// s, along both axes.
  public let stride: Int
  /// The zero padding around the input.
  public let padding: Padding

  /// The input of the last training forward pass.
  private var input = Tensor(zeros: [0])
  /// The taps laid out for DepthwiseChannels (kept until the weights change).
  private let interleavedTaps = DerivedWeights()
  /// This convolution with the BatchNorm after it folded in, as fused inference runs it
  /// (InferenceFusion.swift); kept while neither layer's values change.
  var foldedForInference: FoldedDepthwise?

  /// A depthwise convolution over `channels` with a square kernel and seeded weights
  /// (fan-in and fan-out k·k: each output sees one channel's window).
  public init(
    channels: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .same, bias: Bool = true,
    initializer: Initializer = .heNormal, using generator: inout some RandomNumberGenerator
  ) {
    precondition(channels > 0 && kernelSize > 0 && stride > 0)
    let area = kernelSize * kernelSize
    weight = Parameter(
      initializer.make(
        shape: [channels, 1, kernelSize, kernelSize], fanIn: area, fanOut: area,
        using: &generator))
    self.bias = Parameter(Tensor(zeros: [channels]), role: .bias)
    hasBias = bias
    self.stride = stride
    self.padding = padding
  }

  /// A depthwise convolution with the given weights `[C, 1, kH, kW]` and bias `[C]` (nil: none).
  public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Padding = .same) {
    precondition(
      weight.rank == 4 && weight.shape[1] == 1 && stride > 0,
      "DepthwiseConv2D weight must be [C, 1, kH, kW]")
    precondition(
      bias.map { $0.shape == [weight.shape[0]] } ?? true, "DepthwiseConv2D bias must be [C]")
    self.weight = Parameter(weight)
    self.bias = Parameter(bias ?? Tensor(zeros: [weight.shape[0]]), role: .bias)
    hasBias = bias != nil
    self.stride = stride
    self.padding = padding
  }

  /// C.
  public var channels: Int { weight.value.shape[0] }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    hasBias ? [("weight", weight), ("bias", bias)] : [("weight", weight)]
  }

  /// The window sweep for an input `[N, C, H, W]` (`channels` is C: one plane at a time).
  public func geometry(forInput shape: [Int]) -> ConvolutionGeometry {
    precondition(
      shape.count == 4 && shape[1] == channels,
      "DepthwiseConv2D(\(channels)) needs [N, \(channels), H, W], got \(shape)")
    let (kH, kW) = (weight.value.shape[2], weight.value.shape[3])
    let pad = padding.amounts(
      height: shape[2], width: shape[3], kernelHeight: kH, kernelWidth: kW, stride: stride)
    precondition(
      shape[2] + pad.top + pad.bottom >= kH && shape[3] + pad.left + pad.right >= kW,
      "DepthwiseConv2D: input \(shape) is smaller than the \(kH)×\(kW) kernel")
    return ConvolutionGeometry(
      channels: channels, height: shape[2], width: shape[3], kernelHeight: kH, kernelWidth: kW,
      stride: stride, padTop: pad.top, padLeft: pad.left,
      outputHeight: (shape[2] + pad.top + pad.bottom - kH) / stride + 1,
      outputWidth: (shape[3] + pad.left + pad.right - kW) / stride + 1)
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    if mode == .training { self.input = input }
    return forward(input, epilogue: ConvolutionEpilogue())
  }

  /// The convolution with `epilogue` applied to each output row after the bias (at inference
  /// the activation that follows, InferenceFusion.swift), then `residual` — a tensor of the
  /// output's shape — added: the decoder's y = r + ReLU(refine(r)) in one pass. Keeps nothing
  /// for backward.
  public func forward(
    _ input: Tensor, epilogue: ConvolutionEpilogue, adding residual: Tensor? = nil
  ) -> Tensor {
    let g = geometry(forInput: input.shape)
    let planes = input.shape[0] * channels
    let (kH, kW, s) = (g.kernelHeight, g.kernelWidth, g.stride)
    let outW = g.outputWidth
    let outputShape = [input.shape[0], channels, g.outputHeight, outW]
    precondition(
      residual.map { $0.shape == outputShape } ?? true,
      "DepthwiseConv2D: residual \(residual?.shape ?? []) is not the output's \(outputShape)")
    // Each plane is copied once into s² zero-padded phase planes of P'×P,
    // phase[qy·s + qx][r][k] = xpad[r·s + qy][k·s + qx], so that every tap reads, for all
    // output pixels at once, a run with the output's own row stride:
    // xpad[oy·s + i][ox·s + j] = phase[(i mod s)·s + j mod s][oy + i / s][ox + j / s].
    let outH = g.outputHeight
    let phaseHeight = outH + (kH - 1) / s
    let phaseWidth = outW + (kW - 1) / s
    let phaseArea = phaseHeight * phaseWidth
    // Where tap (i, j) reads, relative to the output pixel's place in a phase plane.
    let offsets = (0..<(kH * kW)).map { t in
      let (i, j) = (t / kW, t % kW)
      return ((i % s) * s + j % s) * phaseArea + (i / s) * phaseWidth + j / s
    }
    let fast = CPUFeatures.hasAVX2AndFMA ? DepthwiseConv2D.kernelActivation(epilogue) : nil
    let kernels = ConvolutionKernels.active
    if let fast, let blocked = channelBlocking(g, lanes: kernels.lanes) {
      return forwardByChannelBlocks(
        input, blocked, activation: fast, residual: residual, outputShape: outputShape)
    }
    // Rows that are not whole vectors (the 7- to 56-pixel planes of MobileNet-style networks)
    // would end in a partial vector each, read lane by lane: there the plane is computed as
    // one run at the phase planes' row stride P' — the P' − W' columns between rows computed
    // and dropped — and its rows then copied out with the residual. The run is rounded up to
    // whole vectors, reading at most a vector past the phase planes: zeros put there.
    let flat = fast != nil && outW % kernels.lanes != 0
    let lanes = kernels.lanes
    let flatCount = flat ? ((outH - 1) * phaseWidth + outW + lanes - 1) / lanes * lanes : 0
    let slack = flat ? lanes : 0
    let empty = Tensor(zeros: [0])
    return Tensor(uninitializedShape: outputShape) { y in
      input.withUnsafeBufferPointer { x in
        (residual ?? empty).withUnsafeBufferPointer { r in
          weight.value.withUnsafeBufferPointer { w in
            bias.value.withUnsafeBufferPointer { b in
              offsets.withUnsafeBufferPointer { offsets in
                // Planes are independent: shared between the workers, each range with its own
                // phase planes. A plane costs its copy plus k² multiply-adds per output, about
                // one float's traffic per 8 (8-wide FMA): 5×5 filters on 16×16 planes are
                // worth sharing though they touch few floats.
                let cost = g.imageArea + g.outputArea * kH * kW / 8
                ParallelPasses.forEachRange(planes, elementsPerItem: cost) { range in
                  withUnsafeTemporaryAllocation(
                    of: Float.self, capacity: s * s * phaseArea + slack + flatCount
                  ) { buffer in
                    let phases = buffer.baseAddress!
                    (phases + s * s * phaseArea).update(repeating: 0, count: slack)
                    let run = phases + s * s * phaseArea + slack
                    for plane in range {
                      let c = plane % channels
                      // The padding sits at the same places in every plane: zeroed once.
                      fillPhases(
                        x.baseAddress! + plane * g.imageArea, g, phases, phaseHeight, phaseWidth,
                        padding: plane == range.lowerBound)
                      let taps = w.baseAddress! + c * kH * kW
                      let at = plane * g.outputArea
                      let added = residual == nil ? nil : r.baseAddress! + at
                      if let fast, flat {
                        kernels.depthwiseRows(
                          run, 0, 1, flatCount, b[c], taps,
                          offsets.baseAddress!, kH * kW, phases, 0, fast, nil)
                        for oy in 0..<outH {
                          let (row, from) = (y.baseAddress! + at + oy * outW, run + oy * phaseWidth)
                          if let added {
                            let plus = added + oy * outW
                            for q in 0..<outW { row[q] = from[q] + plus[q] }
                          } else {
                            StridedCopy.copy(from, into: row, count: outW)
                          }
                        }
                        continue
                      }
                      if let fast {
                        kernels.depthwiseRows(
                          y.baseAddress! + at, outW, outH, outW, b[c], taps,
                          offsets.baseAddress!, kH * kW, phases, phaseWidth, fast, added)
                        continue
                      }
                      for oy in 0..<outH {
                        let (row, top) = (y.baseAddress! + at + oy * outW, phases + oy * phaseWidth)
                        DepthwiseConv2D.convolveRow(
                          into: row, width: outW, bias: b[c], taps: taps,
                          offsets: offsets.baseAddress!, count: kH * kW, top: top)
                        epilogue.apply(row, count: outW, channel: c)
                        if let added {
                          let plus = added + oy * outW
                          for q in 0..<outW { row[q] += plus[q] }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// Output planes up to this many pixels take DepthwiseChannels: EfficientNet-Lite0's 7×7
  /// layers 1.4–1.6× faster than by rows; at 14×14 the rows were as fast (3×3) or faster (5×5,
  /// 236 against 250 µs), with the transpositions in memory or in registers alike. One core,
  /// Zen 4.
  static let channelBlockingArea = 64

  /// The geometry for DepthwiseChannels (the channels in the lanes) where it is the faster
  /// path: whole blocks of channels, small output planes. Nil elsewhere.
  private func channelBlocking(_ g: ConvolutionGeometry, lanes: Int)
    -> DepthwiseChannels.Geometry?
  {
    guard channels % lanes == 0, g.outputArea <= DepthwiseConv2D.channelBlockingArea else {
      return nil
    }
    return DepthwiseChannels.Geometry(
      height: g.height, width: g.width, kernelHeight: g.kernelHeight,
      kernelWidth: g.kernelWidth, stride: g.stride, padTop: g.padTop, padLeft: g.padLeft,
      outputHeight: g.outputHeight, outputWidth: g.outputWidth)
  }

  /// Forward by DepthwiseChannels: blocks of `lanes` channels shared between the workers,
  /// each worker's blocks of one image in one call (its padding zeroed once).
  private func forwardByChannelBlocks(
    _ input: Tensor, _ g: DepthwiseChannels.Geometry, activation: RowActivation,
    residual: Tensor?, outputShape: [Int]
  ) -> Tensor {
    let kernels = ConvolutionKernels.active
    let lanes = kernels.lanes
    let perImage = channels / lanes
    let blocks = input.shape[0] * perImage
    let (area, outputArea) = (g.height * g.width, g.outputHeight * g.outputWidth)
    let taps = g.kernelHeight * g.kernelWidth
    let interleaved = UnsafePointer(
      interleavedTaps.get(channels * taps, from: weight) { target in
        weight.value.withUnsafeBufferPointer { w in
          DepthwiseChannels.interleaveTaps(
            w.baseAddress!, channels: channels, taps: taps, lanes: lanes, into: target)
        }
      })
    let empty = Tensor(zeros: [0])
    return Tensor(uninitializedShape: outputShape) { y in
      input.withUnsafeBufferPointer { x in
        (residual ?? empty).withUnsafeBufferPointer { r in
          bias.value.withUnsafeBufferPointer { b in
            // A block costs its two transpositions and k² multiply-adds per output vector.
            let cost = lanes * (area + outputArea * (taps + 2))
            ParallelPasses.forEachRange(blocks, elementsPerItem: cost) { range in
              withUnsafeTemporaryAllocation(
                of: Float.self, capacity: g.scratchCount(lanes: lanes)
              ) { scratch in
                var block = range.lowerBound
                while block < range.upperBound {
                  // The blocks of this range that are in the same image.
                  let (image, inImage) = block.quotientAndRemainder(dividingBy: perImage)
                  let count = Swift.min(range.upperBound - block, perImage - inImage)
                  let first = inImage * lanes
                  let plane = image * channels + first
                  kernels.depthwiseChannels(
                    count, g, x.baseAddress! + plane * area, interleaved + first * taps,
                    b.baseAddress! + first, activation,
                    residual == nil ? nil : r.baseAddress! + plane * outputArea,
                    y.baseAddress! + plane * outputArea, scratch.baseAddress!)
                  block += count
                }
              }
            }
          }
        }
      }
    }
  }

  /// The vector kernel's form of an epilogue that is only an activation; nil for one with a
  /// scale or shift (those take the baseline rows).
  private static func kernelActivation(_ epilogue: ConvolutionEpilogue) -> RowActivation? {
    guard epilogue.scale == nil, epilogue.shift == nil else { return nil }
    return epilogue.activation
  }

  /// Writes the s² phase planes (`height`×`width` each) of one zero-padded input plane (see
  /// `forward`); the zeros of the padding only when `padding` (they stay from the previous
  /// plane otherwise).
  private func fillPhases(
    _ source: UnsafePointer<Float>, _ g: ConvolutionGeometry,
    _ phases: UnsafeMutablePointer<Float>, _ height: Int, _ width: Int, padding: Bool
  ) {
    let s = g.stride
    for qy in 0..<s {
      for qx in 0..<s {
        // Phase columns k whose input column k·s + qx − padLeft lies inside the image.
        let first = Swift.max(0, (g.padLeft - qx + s - 1) / s)
        let last = g.width - 1 - qx + g.padLeft
        let end = last < 0 ? 0 : Swift.min(width, last / s + 1)
        let phase = phases + (qy * s + qx) * height * width
        for r in 0..<height {
          let line = phase + r * width
          let iy = r * s + qy - g.padTop
          guard iy >= 0 && iy < g.height, first < end else {
            if padding { line.update(repeating: 0, count: width) }
            continue
          }
          if padding { line.update(repeating: 0, count: first) }
          let from = source + iy * g.width + first * s + qx - g.padLeft
          if s == 1 {
            StridedCopy.copy(from, into: line + first, count: end - first)
          } else {
            StridedCopy.gather(from, stride: s, into: line + first, count: end - first)
          }
          if padding { (line + end).update(repeating: 0, count: width - end) }
        }
      }
    }
  }

  /// One output row: y[ox] = b + Σ_t w[t] · top[offsets[t] + ox] over the kH·kW taps, eight
  /// columns at a time (the sums stay in registers over all taps).
  @inline(__always)
  static func convolveRow(
    into row: UnsafeMutablePointer<Float>, width: Int, bias: Float, taps: UnsafePointer<Float>,
    offsets: UnsafePointer<Int>, count: Int, top: UnsafePointer<Float>
  ) {
    typealias Lanes = SIMD8<Float>
    var ox = 0
    // 32 columns at a time: four independent sums hide the latency of each addition.
    while ox + 4 * Lanes.scalarCount <= width {
      var (a, b, c, d) = (
        Lanes(repeating: bias), Lanes(repeating: bias), Lanes(repeating: bias),
        Lanes(repeating: bias)
      )
      for t in 0..<count {
        let from = UnsafeRawPointer(top + offsets[t] + ox)
        let tap = Lanes(repeating: taps[t])
        a += tap * from.loadUnaligned(as: Lanes.self)
        b += tap * from.loadUnaligned(fromByteOffset: 32, as: Lanes.self)
        c += tap * from.loadUnaligned(fromByteOffset: 64, as: Lanes.self)
        d += tap * from.loadUnaligned(fromByteOffset: 96, as: Lanes.self)
      }
      let target = UnsafeMutableRawPointer(row + ox)
      target.storeBytes(of: a, as: Lanes.self)
      target.storeBytes(of: b, toByteOffset: 32, as: Lanes.self)
      target.storeBytes(of: c, toByteOffset: 64, as: Lanes.self)
      target.storeBytes(of: d, toByteOffset: 96, as: Lanes.self)
      ox += 4 * Lanes.scalarCount
    }
    while ox + Lanes.scalarCount <= width {
      var total = Lanes(repeating: bias)
      for t in 0..<count {
        let values = UnsafeRawPointer(top + offsets[t] + ox).loadUnaligned(as: Lanes.self)
        total += Lanes(repeating: taps[t]) * values
      }
      UnsafeMutableRawPointer(row + ox).storeBytes(of: total, as: Lanes.self)
      ox += Lanes.scalarCount
    }
    while ox < width {
      var total = bias
      for t in 0..<count { total += taps[t] * top[offsets[t] + ox] }
      row[ox] = total
      ox += 1
    }
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let g = geometry(forInput: input.shape)
    precondition(
      outputGradient.shape == [input.shape[0], channels, g.outputHeight, g.outputWidth],
      "DepthwiseConv2D backward: gradient \(outputGradient.shape) does not match the output")
    let planes = input.shape[0] * channels
    let (kH, kW) = (g.kernelHeight, g.kernelWidth)
    var inputGradient = Tensor(zeros: input.shape)
    input.withUnsafeBufferPointer { x in
      outputGradient.withUnsafeBufferPointer { dy in
        if hasBias {
          Conv2D.addChannelSums(
            dy.baseAddress!, n: input.shape[0], c: channels, area: g.outputArea, into: bias)
        }
        weight.value.withUnsafeBufferPointer { w in
          weight.gradient.withUnsafeMutableBufferPointer { dw in
            inputGradient.withUnsafeMutableBufferPointer { dx in
              for plane in 0..<planes {
                let c = plane % channels
                let (source, sourceGradient) = (
                  x.baseAddress! + plane * g.imageArea, dx.baseAddress! + plane * g.imageArea
                )
                let gradient = dy.baseAddress! + plane * g.outputArea
                for i in 0..<kH {
                  for j in 0..<kW {
                    let tap = w[(c * kH + i) * kW + j]
                    var total: Float = 0
                    DepthwiseConv2D.sweep(g, i, j) { oy, iy, columns, firstInput in
                      let row = gradient + oy * g.outputWidth
                      let offset = iy * g.width + firstInput
                      var q = 0
                      for ox in columns {
                        // ∂w += ∂y·x; ∂x += ∂y·w, through the same tap.
                        total += row[ox] * source[offset + q]
                        sourceGradient[offset + q] += row[ox] * tap
                        q += g.stride
                      }
                    }
                    dw[(c * kH + i) * kW + j] += total
                  }
                }
              }
            }
          }
        }
      }
    }
    return inputGradient
  }

  /// Calls `body(oy, iy, columns, firstInput)` for every output row `oy` whose tap (i, j)
  /// lands on an input row `iy` inside the image: output columns `columns` read input columns
  /// `firstInput`, `firstInput + s`, … (the others fall in the zero padding).
  @inline(__always)
  static func sweep(
    _ g: ConvolutionGeometry, _ i: Int, _ j: Int,
    _ body: (Int, Int, Range<Int>, Int) -> Void
  ) {
    let s = g.stride
    // Input column of output column ox: ox·s + j − padLeft, inside [0, W).
    let firstColumn = Swift.max(0, (g.padLeft - j + s - 1) / s)
    let lastInput = g.width - 1 - j + g.padLeft
    let endColumn = lastInput < 0 ? 0 : Swift.min(g.outputWidth, lastInput / s + 1)
    guard firstColumn < endColumn else { return }
    let firstInput = firstColumn * s + j - g.padLeft
    for oy in 0..<g.outputHeight {
      let iy = oy * s + i - g.padTop
      if iy < 0 || iy >= g.height { continue }
      body(oy, iy, firstColumn..<endColumn, firstInput)
    }
  }
}
