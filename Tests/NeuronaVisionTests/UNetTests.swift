import Neurona
import NeuronaTestSupport
import NeuronaVision
import Testing

@Test func unetKeepsTheInputSizeAtSeveralSizes() {
  var generator = SplitMix64(seed: 1)
  let unet = UNet(inputChannels: 3, baseWidth: 4, depth: 3, using: &generator)
  for (h, w) in [(8, 8), (16, 24), (32, 8)] {
    let y = unet(randomTensor([2, 3, h, w]))
    #expect(y.shape == [2, 1, h, w])
  }
}

@Test func unetSmallHasTheReferenceParameterCountAndNames() {
  var generator = SplitMix64(seed: 1)
  let unet = UNet(using: &generator)
  // PyTorch's UNetSmall (bench/peers.py) with BN affine: 1 944 049 parameters.
  #expect(unet.parameterCount == 1_944_049)
  let names = unet.namedParameters.map(\.name)
  #expect(names.contains("enc.0.0.weight"))
  #expect(names.contains("enc.3.4.running_var"))
  #expect(names.contains("bottleneck.3.weight"))
  #expect(names.contains("up.0.weight"))
  #expect(names.contains("dec.3.1.bias"))
  #expect(names.last == "head.bias")
}

@Test func tinyUNetGradientsMatchFiniteDifferences() {
  var generator = SplitMix64(seed: 4)
  let unet = UNet(inputChannels: 2, baseWidth: 2, depth: 2, using: &generator)
  // Batch statistics make every output depend on every input; a batch of 2 keeps BN sane.
  // ReLU kinks behind batch normalisation are everywhere (a weight moves every unit after
  // it), so ε is small and points that straddle a kink are skipped. The absolute tolerance
  // covers float32 rounding in the objective (≈ 7e-3 at this ε; biases before a BatchNorm
  // have a true gradient of exactly 0).
  let tolerance = GradientTolerance(
    epsilon: 3e-4, absolute: 1.5e-2, relative: 3e-2, samplesPerTensor: 12)
  let mismatches = checkGradients(
    of: unet, input: randomTensor([2, 2, 8, 8], seed: 5), tolerance: tolerance, skipKinks: true)
  #expect(mismatches.isEmpty, "\(mismatches.count): \(mismatches.prefix(8))")
}

@Test func unetOverfitsOneSmallBatch() throws {
  var generator = SplitMix64(seed: 2)
  let unet = UNet(inputChannels: 1, baseWidth: 4, depth: 2, using: &generator)
  // A bright square on a dark background; the mask is the square.
  var image = Tensor(repeating: 0.1, shape: [2, 1, 16, 16])
  var mask = Tensor(zeros: [2, 1, 16, 16])
  for b in 0..<2 {
    for y in (3 + b)..<(10 + b) {
      for x in 4..<12 {
        image[b, 0, y, x] = 0.9
        mask[b, 0, y, x] = 1
      }
    }
  }
  let data = TensorDataset(inputs: image, targets: mask)
  let loss = CombinedLoss([(1, BinaryCrossEntropy()), (1, SoftDiceLoss())])
  let trainer = Trainer(model: unet, loss: loss, optimizer: Adam(learningRate: 0.01))
  let reports = try trainer.fit(
    data, trainIndices: [0, 1], epochs: 80, batchSize: 2, using: &generator)
  #expect(reports[0].trainLoss > 0.8)
  #expect(reports.last!.trainLoss < 0.15)
}

/// The fast inference path (convolution + batch normalisation + ReLU in one pass, Winograd
/// 3×3 convolutions) gives the layer-by-layer im2col result within 1e-4, with running
/// statistics far from the identity.
@Test func unetFastInferenceMatchesTheReferencePath() {
  var generator = SplitMix64(seed: 8)
  let unet = UNet(inputChannels: 3, baseWidth: 16, depth: 3, using: &generator)
  for (i, (name, parameter)) in unet.namedParameters.enumerated() {
    let count = parameter.value.count
    if name.hasSuffix("running_mean") {
      parameter.value = randomTensor([count], seed: UInt64(i))
    } else if name.hasSuffix("running_var") {
      parameter.value = randomTensor([count], low: 0.3, high: 2, seed: UInt64(i))
    }
  }
  let input = randomTensor([2, 3, 64, 64], seed: 9)
  let fused = unet(input)
  unet.usesFastInference = false
  let reference = unet(input)
  #expect(isClose(fused, reference, tolerance: 1e-4), "\(fused.maxAbsDifference(reference))")
}
