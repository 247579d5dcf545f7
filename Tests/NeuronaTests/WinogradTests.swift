import Neurona
import NeuronaTestSupport
import Testing

/// Winograd F(4×4, 3×3) gives im2col's result: padded and valid, odd and even sizes (edge
/// tiles half outside), small images (blocks spanning images) and a large one (several blocks
/// per image), with and without bias, and through a fused epilogue.
@Test(
  arguments: [
    ([3, 16, 33, 35], Padding.symmetric(1), true),
    ([5, 128, 6, 7], Padding.symmetric(1), true),
    ([1, 16, 36, 37], Padding.valid, false),
    ([2, 20, 61, 67], Padding.symmetric(1), true),
    ([1, 32, 40, 40], Padding.same, false),
  ])
func winogradMatchesIm2col(shape: [Int], padding: Padding, bias: Bool) {
  var generator = SplitMix64(seed: 11)
  let layer = Conv2D(shape[1], 10, kernelSize: 3, padding: padding, bias: bias, using: &generator)
  if let b = layer.bias { b.value = randomTensor([10], seed: 12) }
  let input = randomTensor(shape, seed: 13)
  let epilogue = ConvolutionEpilogue(
    scale: (0..<10).map { Float($0) * 0.2 - 1 }, shift: (0..<10).map { Float($0) * 0.1 },
    rectifies: true)
  guard fastPathTaken(layer.winogradApplies(toInput: shape)) else { return }
  let fast = layer.forward(input, mode: .inference)
  let fastFused = layer.forward(input, epilogue: epilogue)
  layer.usesWinograd = false
  #expect(!layer.winogradApplies(toInput: shape))
  let reference = layer.forward(input, mode: .inference)
  let referenceFused = layer.forward(input, epilogue: epilogue)
  #expect(fast.shape == reference.shape)
  #expect(isClose(fast, reference, tolerance: 1e-4), "\(fast.maxAbsDifference(reference))")
  #expect(isClose(fastFused, referenceFused, tolerance: 1e-4))
}

/// ∂W in Winograd's domain matches im2col's ∂W = ∂Y·colsᵀ to 1e-4 of its largest value, with
/// the bias gradient: padded and valid, odd sizes (edge tiles half outside the output), a
/// batch whose blocks span images, a large image (several blocks, both workers), many
/// channels on a small image, output channels not a multiple of six, and a first layer that
/// computes no ∂x. Gradients accumulate: added to what was there.
@Test(
  arguments: [
    ([2, 16, 33, 35], Padding.symmetric(1), 10, true),
    ([1, 16, 36, 37], Padding.valid, 8, true),
    ([1, 24, 70, 66], Padding.same, 16, true),
    ([3, 128, 6, 7], Padding.symmetric(1), 9, true),
    ([2, 16, 32, 32], Padding.symmetric(1), 32, false),
  ])
func winogradWeightGradientMatchesIm2col(
  shape: [Int], padding: Padding, outputs: Int, inputGradient: Bool
) {
  checkWeightGradientAgainstIm2col(
    shape: shape, padding: padding, outputs: outputs, inputGradient: inputGradient, seed: 31
  ) { $0.winogradAppliesToWeightGradient(ofInput: $1) }
}

/// ∂W in F(2×2)'s domain matches im2col's (within 1e-4 of the largest), and ∂b and ∂x stay
/// as they were: Fashion-MNIST's 14×14 layer (rows of 7 tiles: every unit of 8 ends in a
/// tile past the row), a batch in several groups on both workers, rows of 17 tiles (three
/// units, AVX-512's 16-tile units where they apply), output channels not a multiple of six,
/// and a first layer without ∂x. Gradients accumulate onto what was there.
@Test(
  arguments: [
    ([3, 32, 14, 14], 64, true),
    ([9, 8, 6, 10], 7, true),
    ([2, 16, 4, 34], 13, true),
    ([2, 8, 32, 32], 6, false),
  ])
func winograd2x2WeightGradientMatchesIm2col(shape: [Int], outputs: Int, inputGradient: Bool) {
  checkWeightGradientAgainstIm2col(
    shape: shape, padding: .symmetric(1), outputs: outputs, inputGradient: inputGradient,
    seed: 35
  ) { $0.winograd2x2AppliesToWeightGradient(ofInput: $1) }
}

/// Backward of a 3×3 convolution whose ∂W goes by a Winograd path (`applies` says whether it
/// does) against the same layer with Winograd turned off (im2col): ∂W within 1e-4 of its
/// largest value, ∂b and ∂x as they were. Gradients accumulate onto a non-zero ∂W.
private func checkWeightGradientAgainstIm2col(
  shape: [Int], padding: Padding, outputs: Int, inputGradient: Bool, seed: UInt64,
  applies: (Conv2D, [Int]) -> Bool
) {
  var generator = SplitMix64(seed: seed)
  let layer = Conv2D(shape[1], outputs, kernelSize: 3, padding: padding, using: &generator)
  layer.computesInputGradient = inputGradient
  let input = randomTensor(shape, seed: seed + 1)
  let output = layer.forward(input, mode: .inference)
  let outputGradient = randomTensor(output.shape, seed: seed + 2)
  guard fastPathTaken(applies(layer, shape)) else { return }
  func gradients() -> [Tensor] {
    layer.zeroGradients()
    layer.weight.gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0.5) }
    _ = layer.forward(input, mode: .training)
    let dx = layer.backward(outputGradient)
    return [layer.weight.gradient, layer.bias!.gradient, dx]
  }
  let fast = gradients()
  layer.usesWinograd = false
  #expect(!applies(layer, shape))
  let reference = gradients()
  let largest = reference[0].scalars.map(abs).max() ?? 1
  #expect(
    fast[0].maxAbsDifference(reference[0]) <= 1e-4 * largest,
    "∂W: \(fast[0].maxAbsDifference(reference[0])) of \(largest)")
  #expect(isClose(fast[1], reference[1], tolerance: 1e-3), "∂b")
  if inputGradient {
    #expect(isClose(fast[2], reference[2], tolerance: 1e-4), "∂x")
  }
}

/// Training through a Winograd convolution: its ∂x (a Winograd convolution of ∂y with the
/// turned filters) and ∂W match the im2col path's, for one image and a batch.
@Test(
  arguments: [[1, 16, 34, 33], [2, 8, 33, 40]])
func winogradInputGradientMatchesIm2col(shape: [Int]) {
  var generator = SplitMix64(seed: 21)
  let layer = Conv2D(shape[1], 16, kernelSize: 3, padding: 1, using: &generator)
  let input = randomTensor(shape, seed: 22)
  let outputGradient = randomTensor([shape[0], 16, shape[2], shape[3]], seed: 23)
  guard fastPathTaken(layer.winogradAppliesToInputGradient(ofInput: shape)) else { return }
  func gradients() -> (Tensor, Tensor) {
    layer.zeroGradients()
    _ = layer.forward(input, mode: .training)
    return (layer.backward(outputGradient), layer.weight.gradient)
  }
  let (fastInput, fastWeight) = gradients()
  layer.usesWinograd = false
  #expect(!layer.winogradAppliesToInputGradient(ofInput: shape))
  let (referenceInput, referenceWeight) = gradients()
  #expect(
    isClose(fastInput, referenceInput, tolerance: 1e-4),
    "\(fastInput.maxAbsDifference(referenceInput))")
  #expect(isClose(fastWeight, referenceWeight, tolerance: 1e-3))
}

/// The transformed filters are kept between calls, but never past a change of the weights:
/// neither an in-place write, nor an assignment, nor an optimiser step leaves them stale.
@Test
func winogradFollowsWeightChanges() {
  var generator = SplitMix64(seed: 31)
  let layer = Conv2D(16, 8, kernelSize: 3, padding: 1, using: &generator)
  let input = randomTensor([1, 16, 32, 32], seed: 32)
  guard fastPathTaken(layer.winogradApplies(toInput: input.shape)) else { return }
  func agreesWithIm2col() -> Bool {
    let fast = layer.forward(input, mode: .inference)
    layer.usesWinograd = false
    defer { layer.usesWinograd = true }
    return isClose(fast, layer.forward(input, mode: .inference), tolerance: 1e-4)
  }
  #expect(agreesWithIm2col())
  let before = layer.forward(input, mode: .inference)
  layer.weight.value.withUnsafeMutableBufferPointer { $0[0] += 1 }
  #expect(!isClose(layer.forward(input, mode: .inference), before, tolerance: 1e-4))
  #expect(agreesWithIm2col())
  layer.weight.value = randomTensor(layer.weight.value.shape, seed: 33)
  #expect(agreesWithIm2col())
  let optimizer = SGD(learningRate: 0.5)
  layer.weight.gradient = randomTensor(layer.weight.value.shape, seed: 34)
  optimizer.step(layer.namedParameters.map(\.parameter))
  #expect(agreesWithIm2col())
}

/// The pooled F(2×2, 3×3) path gives MaxPool2D of the convolution's output: Fashion-MNIST's
/// second layer, odd sizes (floor), rows of more than eight tiles (several runs, the last
/// one partial), an odd number of runs per image with one image and with three (groups of
/// two, the last one short), output channels not a multiple of six; rows that AVX-512 takes
/// in units of sixteen tiles (13: one partial unit, three per image; 30: two units, the
/// second partial); through an epilogue with negative scales (applied before the max) and
/// with positive ones (after it).
@Test(
  arguments: [
    [3, 32, 14, 14], [1, 8, 15, 13], [2, 16, 20, 34], [1, 9, 6, 40], [3, 9, 6, 40],
    [1, 9, 7, 27], [2, 8, 8, 60],
  ])
func pooledWinogradMatchesPoolingTheConvolution(shape: [Int]) {
  let o = shape[1] == 32 ? 64 : 10
  let layer = Conv2D(
    weight: randomTensor([o, shape[1], 3, 3], seed: 71), bias: randomTensor([o], seed: 72),
    padding: 1)
  let input = randomTensor(shape, seed: 73)
  guard fastPathTaken(layer.winograd2x2Applies(toInput: shape, pooled: true)) else { return }
  for sign: Float in [-1, 1] {
    let epilogue = ConvolutionEpilogue(
      scale: (0..<o).map { sign > 0 ? Float($0 % 5) * 0.3 + 0.1 : Float($0 % 5) * 0.5 - 1 },
      shift: (0..<o).map { Float($0) * 0.1 }, rectifies: sign > 0)
    let pooled = layer.forwardPooled(input, epilogue: epilogue)
    layer.usesWinograd = false
    let reference = MaxPool2D(kernelSize: 2).forward(
      layer.forward(input, epilogue: epilogue), mode: .inference)
    layer.usesWinograd = true
    #expect(pooled.shape == reference.shape)
    #expect(isClose(pooled, reference, tolerance: 1e-4), "\(pooled.maxAbsDifference(reference))")
  }
}

/// F(2×2, 3×3) unpooled, forward and in training: the output (through an epilogue), ∂x and
/// ∂W match im2col's, for Fashion-MNIST's second layer, rows of more than eight tiles and an
/// odd number of units per image, one image (strips shared by the workers) and a batch; and
/// rows that AVX-512 takes in units of sixteen tiles (14: partial, five per image; 32: two
/// whole units).
@Test(
  arguments: [
    [3, 32, 14, 14], [1, 16, 20, 34], [3, 9, 6, 40], [1, 12, 8, 8], [2, 8, 10, 28], [1, 8, 4, 64],
  ])
func winograd2x2MatchesIm2col(shape: [Int]) {
  let o = shape[1] == 32 ? 64 : 10
  let layer = Conv2D(
    weight: randomTensor([o, shape[1], 3, 3], seed: 81), bias: randomTensor([o], seed: 82),
    padding: 1)
  let input = randomTensor(shape, seed: 83)
  let outputGradient = randomTensor([shape[0], o, shape[2], shape[3]], seed: 84)
  let epilogue = ConvolutionEpilogue(
    scale: (0..<o).map { Float($0 % 5) * 0.5 - 1 }, shift: (0..<o).map { Float($0) * 0.1 },
    rectifies: true)
  guard fastPathTaken(layer.winograd2x2Applies(toInput: shape)) else { return }
  func results() -> [Tensor] {
    layer.zeroGradients()
    let fused = layer.forward(input, epilogue: epilogue)
    let output = layer.forward(input, mode: .training)
    return [fused, output, layer.backward(outputGradient), layer.weight.gradient]
  }
  let fast = results()
  layer.usesWinograd = false
  #expect(!layer.winograd2x2Applies(toInput: shape))
  let reference = results()
  for (name, (a, b)) in zip(["fused", "output", "∂x", "∂W"], zip(fast, reference)) {
    #expect(a.shape == b.shape, "\(name)")
    #expect(
      isClose(a, b, tolerance: name == "∂W" ? 1e-3 : 1e-4), "\(name): \(a.maxAbsDifference(b))")
  }
}

/// Layers that are not 3×3 "same" keep their own paths in training: a 1×1 and a strided 3×3
/// layer on an even-sized input with channels enough for F(2×2) give the same ∂x with
/// Winograd allowed as without.
@Test func winograd2x2LeavesOtherKernelsAlone() {
  var generator = SplitMix64(seed: 91)
  for layer in [
    Conv2D(8, 8, kernelSize: 1, using: &generator),
    Conv2D(8, 8, kernelSize: 3, stride: 2, padding: 1, using: &generator),
  ] {
    let input = randomTensor([2, 8, 8, 8], seed: 92)
    #expect(!layer.winograd2x2Applies(toInput: input.shape))
    let outputGradient = randomTensor(layer.forward(input, mode: .inference).shape, seed: 93)
    func inputGradient() -> Tensor {
      _ = layer.forward(input, mode: .training)
      return layer.backward(outputGradient)
    }
    let allowed = inputGradient()
    layer.usesWinograd = false
    #expect(isClose(allowed, inputGradient(), tolerance: 1e-5))
  }
}
