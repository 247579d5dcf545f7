import Neurona
import NeuronaTestSupport
import Testing

@Test func dropoutHasNoParametersAndIsTheIdentityAtInference() {
  let dropout = Dropout(rate: 0.5, seed: 1)
  #expect(dropout.namedParameters.isEmpty)
  let x = randomTensor([4, 8])
  #expect(dropout.forward(x, mode: .inference) == x)
}

@Test func dropoutPreservesTheExpectedValueWhileTraining() {
  let dropout = Dropout(rate: 0.3, seed: 9)
  let x = Tensor(repeating: 1, shape: [200, 500])
  let y = dropout.forward(x, mode: .training)
  let kept = y.scalars.filter { $0 != 0 }
  // Survivors are scaled by 1/(1−p), so the mean stays 1 (100 000 draws: std of mean ≈ 0.002).
  #expect(abs(y.sum() / Double(y.count) - 1) < 0.01)
  #expect(abs(Double(kept.count) / Double(y.count) - 0.7) < 0.01)
  #expect(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
}

@Test func dropoutGradientMatchesFiniteDifferencesWithAFixedMask() {
  let dropout = Dropout(rate: 0.4, seed: 3)
  let mismatches = checkGradients(of: dropout, input: randomTensor([3, 6])) { dropout.reseed(5) }
  #expect(mismatches.isEmpty)
}
