import Neurona
import NeuronaTestSupport
import Testing

/// The direct path (a padded input read in place) gives im2col's result — with the Winograd
/// paths off, which would take some of these shapes: Fashion-MNIST's two layers, one image cut into bands (fewer images than workers; more rows than one band
/// holds), a 5×5 valid kernel with output channels not a multiple of the kernel's six, a
/// padded 1×1 kernel, asymmetric padding and a rectangular kernel; plain and through a fused
/// epilogue.
@Test(
  arguments: [
    ([3, 1, 28, 28], [32, 1, 3, 3], Padding.symmetric(1)),
    ([2, 32, 14, 14], [64, 32, 3, 3], Padding.symmetric(1)),
    ([1, 3, 40, 37], [16, 3, 3, 3], Padding.same),
    ([1, 8, 100, 90], [12, 8, 3, 3], Padding.symmetric(1)),
    ([2, 5, 9, 11], [7, 5, 5, 5], Padding.valid),
    ([1, 4, 10, 12], [9, 4, 1, 1], Padding.symmetric(1)),
    ([3, 6, 13, 8], [10, 6, 2, 2], Padding.same),
    ([1, 3, 11, 17], [5, 3, 3, 5], Padding.explicit(top: 2, left: 0, bottom: 1, right: 3)),
  ])
func directConvolutionMatchesIm2col(shape: [Int], weightShape: [Int], padding: Padding) {
  let o = weightShape[0]
  let layer = Conv2D(
    weight: randomTensor(weightShape, seed: 41), bias: randomTensor([o], seed: 42),
    padding: padding)
  layer.usesWinograd = false
  let input = randomTensor(shape, seed: 43)
  let epilogue = ConvolutionEpilogue(
    scale: (0..<o).map { Float($0) * 0.2 - 1 }, shift: (0..<o).map { Float($0) * 0.1 },
    rectifies: true)
  guard fastPathTaken(layer.directApplies(toInput: shape)) else { return }
  let fast = layer.forward(input, mode: .inference)
  let fastFused = layer.forward(input, epilogue: epilogue)
  layer.usesDirectConvolution = false
  #expect(!layer.directApplies(toInput: shape))
  let reference = layer.forward(input, mode: .inference)
  let referenceFused = layer.forward(input, epilogue: epilogue)
  #expect(fast.shape == reference.shape)
  #expect(isClose(fast, reference, tolerance: 1e-4), "\(fast.maxAbsDifference(reference))")
  #expect(isClose(fastFused, referenceFused, tolerance: 1e-4))
}

/// Strided, 1×1 unpadded (the image is its own column matrix) and Winograd-sized
/// convolutions keep their own paths.
@Test func directConvolutionLeavesOtherShapesAlone() {
  var generator = SplitMix64(seed: 44)
  let strided = Conv2D(3, 8, kernelSize: 3, stride: 2, padding: 1, using: &generator)
  #expect(!strided.directApplies(toInput: [1, 3, 16, 16]))
  let pointwise = Conv2D(3, 8, kernelSize: 1, using: &generator)
  #expect(!pointwise.directApplies(toInput: [1, 3, 16, 16]))
  let wide = Conv2D(64, 64, kernelSize: 3, padding: 1, using: &generator)
  #expect(!wide.directApplies(toInput: [1, 64, 64, 64]))
}

/// Pooling on the way out, through an epilogue whose scale is negative for some channels (the
/// map is then applied before the max, else after it), with no activation, a ReLU and a
/// hard-swish (not monotonic: always before the max): the same as the epilogue's output
/// pooled by MaxPool2D.
@Test
func pooledDirectConvolutionFollowsTheEpilogue() {
  let layer = Conv2D(
    weight: randomTensor([8, 3, 3, 3], seed: 61), bias: randomTensor([8], seed: 62), padding: 1)
  let input = randomTensor([2, 3, 11, 10], seed: 63)
  guard fastPathTaken(layer.directApplies(toInput: input.shape)) else { return }
  for activation in 0..<3 {
    let epilogue = ConvolutionEpilogue(
      scale: (0..<8).map { Float($0) * 0.5 - 1.5 }, shift: (0..<8).map { Float($0) * 0.1 },
      rectifies: activation == 1, hardSwishes: activation == 2)
    let pooled = layer.forwardPooled(input, epilogue: epilogue)
    let reference = MaxPool2D(kernelSize: 2).forward(
      layer.forward(input, epilogue: epilogue), mode: .inference)
    #expect(pooled.shape == [2, 8, 5, 5])
    #expect(isClose(pooled, reference, tolerance: 1e-5), "\(pooled.maxAbsDifference(reference))")
  }
}
