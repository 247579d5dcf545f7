import Neurona
import NeuronaAVX2
import NeuronaAVX512
import NeuronaKernels
import NeuronaTestSupport
import Testing

/// Gives a batch normalisation running statistics and an affine map far from the identity.
private func randomise(_ norm: BatchNorm2D, seed: UInt64) {
  let c = norm.channels
  norm.weight.value = randomTensor([c], low: 0.5, high: 2, seed: seed)
  norm.bias.value = randomTensor([c], seed: seed + 1)
  norm.runningMean.value = randomTensor([c], seed: seed + 2)
  norm.runningVariance.value = randomTensor([c], low: 0.2, high: 3, seed: seed + 3)
}

/// Every fusable pattern (conv–BN–ReLU, conv–ReLU, conv–BN, conv without bias, a lone conv)
/// gives the layer-by-layer result, on small images (grouped tiles) and large (bands).
@Test(arguments: [[2, 3, 9, 9], [1, 3, 70, 70]])
func fusedInferenceMatchesTheLayerByLayerPath(shape: [Int]) {
  var generator = SplitMix64(seed: 3)
  let norms = [BatchNorm2D(8), BatchNorm2D(5)]
  for (i, norm) in norms.enumerated() { randomise(norm, seed: UInt64(10 * i)) }
  let model = Sequential([
    Conv2D(3, 8, kernelSize: 3, padding: 1, using: &generator), norms[0], ReLU(),
    Conv2D(8, 6, kernelSize: 3, padding: 1, using: &generator), ReLU(),
    Conv2D(6, 5, kernelSize: 1, bias: false, using: &generator), norms[1],
    MaxPool2D(kernelSize: 2, stride: 2),
    Conv2D(5, 4, kernelSize: 3, using: &generator),
  ])
  for parameter in model.parameters where parameter.role == .bias && parameter.value.count == 8 {
    parameter.value = randomTensor([8], seed: 99)
  }
  let input = randomTensor(shape, seed: 4)
  let fused = model(input)
  model.fusesForInference = false
  let reference = model(input)
  #expect(fused.shape == reference.shape)
  #expect(isClose(fused, reference, tolerance: 1e-4))
}

/// A 2×2 max-pool after a direct convolution is pooled band by band as the convolution is
/// computed: the same as pooling its output, with odd sizes (floor), one image cut into
/// bands, a batch, with and without a ReLU between.
@Test(
  arguments: [[1, 3, 15, 13], [3, 2, 28, 28], [1, 4, 90, 61]])
func pooledConvolutionMatchesPoolingItsOutput(shape: [Int]) {
  var generator = SplitMix64(seed: 5)
  let norm = BatchNorm2D(6)
  randomise(norm, seed: 50)
  let first = Conv2D(shape[1], 7, kernelSize: 3, padding: 1, using: &generator)
  let model = Sequential([
    first, ReLU(), MaxPool2D(kernelSize: 2),
    Conv2D(7, 6, kernelSize: 3, padding: 1, using: &generator), norm, MaxPool2D(kernelSize: 2),
  ])
  let input = randomTensor(shape, seed: 6)
  guard fastPathTaken(first.directApplies(toInput: shape)) else { return }
  let fused = model(input)
  model.fusesForInference = false
  let reference = model(input)
  #expect(fused.shape == reference.shape)
  #expect(isClose(fused, reference, tolerance: 1e-4), "\(fused.maxAbsDifference(reference))")
}

/// The epilogue's row pass of each instruction set the CPU runs, 8 lanes (AVX2) and 16
/// (AVX-512), called directly: the baseline's expressions exactly (no fused multiply-add,
/// HardSwish's rounding), for runs shorter than a vector, whole pairs of vectors and a
/// partial last vector in either width; nothing written past the run.
@Test(
  .enabled(if: CPUFeatures.available >= .avx2, "the kernels need AVX2 and FMA"),
  arguments: [1, 5, 8, 12, 16, 17, 31, 32, 33, 47, 64, 77])
func rowEpilogueKernelsMatchTheBaseline(count: Int) {
  var sets = [("avx2", avx2Kernels)]
  if CPUFeatures.available >= .avx512 { sets.append(("avx512", avx512Kernels)) }
  let values = randomTensor([count], low: -6, high: 6, seed: 51).scalars
  let (scale, shift): (Float, Float) = (0.75, -0.5)
  let activations: [(RowActivation, (Float) -> Float)] = [
    (.none, { $0 }), (.relu, { $0 > 0 ? $0 : 0 }),
    (.hardSwish, { $0 * min(max($0 + 3, 0), 6) / 6 }),
  ]
  for (name, kernels) in sets {
    for (activation, activate) in activations {
      var row = values + [Float](repeating: .nan, count: 16)
      kernels.rowEpilogue(&row, count, scale, shift, activation)
      let expected = values.map { activate($0 * scale + shift) }
      #expect(Array(row[..<count]) == expected, "\(name) \(activation)")
      #expect(row[count...].allSatisfy { $0.isNaN }, "\(name) \(activation): wrote past the run")
    }
  }
}
