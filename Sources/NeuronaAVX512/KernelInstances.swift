// NeuronaKernels' generic kernels instantiated for AVX-512: 16 floats a vector, products by this
// module's packed product. Neurona picks this set (Layers/Convolution/ConvolutionKernels.swift)
// once CPUFeatures has allowed it.
import NeuronaKernels

/// The kernels of this module's instruction set.
public let avx512Kernels = VectorKernelSet(
  lanes: 16, packedProduct: PackedProduct512.product,
  winogradBlock: { block, g, outputs, x, u, y, epilogue, v, m, rows in
    Winograd.computeBlock(
      SIMD16<Float>.self, block, g, outputs: outputs, x: x, u: u, y: y, epilogue: epilogue,
      input: v, product: m, rows: rows, multiply: PackedProduct512.product)
  },
  winogradGradientBlock: { block, g, outputs, x, dy, v, dm, rows in
    Winograd.gradientBlock(
      SIMD16<Float>.self, block, g, outputs: outputs, x: x, dy: dy, input: v,
      outputGradient: dm, rows: rows)
  },
  directConvolution: { a, o, c, kh, kw, x, planeStride, wp, rows, y, rowStride in
    DirectConvolution.compute(
      SIMD16<Float>.self, packed: a, outputs: o, channels: c, kernelHeight: kh, kernelWidth: kw,
      input: x, planeStride: planeStride, paddedWidth: wp, rows: rows, into: y,
      rowStride: rowStride)
  },
  depthwiseRows: { y, ys, rows, width, bias, taps, offsets, count, top, ts, activation, r in
    DepthwiseRows.convolve(
      SIMD16<Float>.self, into: y, outputStride: ys, rows: rows, width: width, bias: bias,
      taps: taps, offsets: offsets, count: count, top: top, topStride: ts,
      activation: activation, residual: r)
  },
  depthwiseChannels: { blocks, g, x, taps, bias, activation, r, y, scratch in
    DepthwiseChannels.convolve(
      SIMD16<Float>.self, blocks: blocks, g, input: x, taps: taps, bias: bias,
      activation: activation, residual: r, output: y, scratch: scratch)
  },
  rowEpilogue: { values, count, scale, shift, activation in
    RowEpilogue.apply(
      SIMD16<Float>.self, values, count: count, scale: scale, shift: shift,
      activation: activation)
  },
  winograd2x2: { strips, layout, o, x, u, epilogue, pooled, y, units, scratch in
    // Short rows take units of eight tiles (Winograd2x2.unitLanes), in ymm registers here.
    if layout.lanes == 16 {
      Winograd2x2.compute(
        SIMD16<Float>.self, strips: strips, layout, outputs: o, x: x, u: u,
        epilogue: epilogue, pooled: pooled, y: y, units: units, scratch: scratch)
    } else {
      Winograd2x2.compute(
        SIMD8<Float>.self, strips: strips, layout, outputs: o, x: x, u: u, epilogue: epilogue,
        pooled: pooled, y: y, units: units, scratch: scratch)
    }
  },
  winograd2x2Gradient: { units, layout, o, x, dy, v, dm, rowStride, scratch in
    if layout.lanes == 16 {
      Winograd2x2.gradientUnits(
        SIMD16<Float>.self, units, layout, outputs: o, x: x, dy: dy, input: v,
        outputGradient: dm, rowStride: rowStride, scratch: scratch)
    } else {
      Winograd2x2.gradientUnits(
        SIMD8<Float>.self, units, layout, outputs: o, x: x, dy: dy, input: v,
        outputGradient: dm, rowStride: rowStride, scratch: scratch)
    }
  })
