// The strided and short copies (StridedCopy: sixteen-float loads and their even lanes, the last eight
// through an overlapping load) against the definitions written as plain loops: im2col's
// columns and a depthwise convolution, on widths around the vector size and with the image's
// last float read, so a read past the end or a wrong lane would show.
import Neurona
import NeuronaTestSupport
import Testing

/// Same sums in a different order (the FMA kernel) on values in [−1, 1], ≤ 25 terms.
private let directTolerance: Float = 1e-5

@Test(arguments: [7, 8, 9, 16, 17, 18, 33, 64])
func unfoldAtStrideTwoMatchesTheDefinition(width: Int) {
  let g = ConvolutionGeometry(
    channels: 2, height: 5, width: width, kernelHeight: 3, kernelWidth: 3, stride: 2,
    padTop: 1, padLeft: 1, outputHeight: 3, outputWidth: (width - 1) / 2 + 1)
  let image = randomTensor([2, 5, width], seed: 5)
  var columns = [Float](repeating: .nan, count: g.patchSize * g.outputArea)
  image.withUnsafeBufferPointer { x in
    columns.withUnsafeMutableBufferPointer { c in
      Im2Col.unfold(x.baseAddress!, g, into: c.baseAddress!, rowStride: g.outputArea)
    }
  }
  var expected: [Float] = []
  for c in 0..<2 {
    for i in 0..<3 {
      for j in 0..<3 {
        for y in 0..<g.outputHeight {
          for x in 0..<g.outputWidth {
            let (iy, ix) = (y * 2 - 1 + i, x * 2 - 1 + j)
            let inside = iy >= 0 && iy < 5 && ix >= 0 && ix < width
            expected.append(inside ? image[c, iy, ix] : 0)
          }
        }
      }
    }
  }
  #expect(columns == expected)
}

/// Stride 2, and stride 1 on rows of 1 to 17 pixels: the phase planes' rows are copied in
/// vectors that overlap at the end (StridedCopy.copy) and rows that are not whole vectors run
/// as one flat run, so every short width is a case of its own.
@Test(
  arguments: [
    (3, 2, 17), (3, 2, 34), (5, 2, 19), (5, 2, 40), (3, 1, 1), (3, 1, 3), (5, 1, 4), (3, 1, 5),
    (5, 1, 7), (3, 1, 8), (5, 1, 9), (3, 1, 14), (5, 1, 17),
  ])
func depthwiseMatchesTheDefinition(kernel: Int, stride: Int, width: Int) {
  var generator = SplitMix64(seed: 61)
  let layer = DepthwiseConv2D(channels: 2, kernelSize: kernel, stride: stride, using: &generator)
  layer.bias.value = randomTensor([2], seed: 62)
  let (height, input) = (6, randomTensor([1, 2, 6, width], seed: 63))
  let output = layer(input)
  // TensorFlow SAME: ⌈n/s⌉ outputs, the odd pad pixel at the bottom/right.
  let (outH, outW) = ((height + stride - 1) / stride, (width + stride - 1) / stride)
  let padTop = Swift.max((outH - 1) * stride + kernel - height, 0) / 2
  let padLeft = Swift.max((outW - 1) * stride + kernel - width, 0) / 2
  var expected = Tensor(zeros: [1, 2, outH, outW])
  for c in 0..<2 {
    for y in 0..<outH {
      for x in 0..<outW {
        var total = layer.bias.value[c]
        for i in 0..<kernel {
          for j in 0..<kernel {
            let (iy, ix) = (y * stride - padTop + i, x * stride - padLeft + j)
            guard iy >= 0 && iy < height && ix >= 0 && ix < width else { continue }
            total += layer.weight.value[c, 0, i, j] * input[0, c, iy, ix]
          }
        }
        expected[0, c, y, x] = total
      }
    }
  }
  #expect(isClose(output, expected, tolerance: directTolerance))
}
