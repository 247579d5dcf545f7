// Dropout (the course's "poda neuronal"): during training each unit is zeroed with
// probability p and the survivors scaled by 1/(1−p) ("inverted" dropout), so the expected
// activation is unchanged and inference is the identity. No parameters.

/// Randomly zeroes units while training; the identity at inference. `[any] → [same]`.
///
/// Its generator's state is not a parameter (model files don't carry it); checkpoints save it
/// through `GeneratorOwner`, so a resumed run draws the same masks.
/// - Paper: Srivastava et al., "Dropout", JMLR 2014.
public final class Dropout: Layer, GeneratorOwner {
  /// The probability that a unit is dropped.
  public let rate: Float
  private var generator: SplitMix64
  private var mask = Tensor(zeros: [0])

  /// Dropout with drop probability `rate` in [0, 1), its masks drawn from `seed`.
  public init(rate: Float, seed: UInt64) {
    precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
    self.rate = rate
    self.generator = SplitMix64(seed: seed)
  }

  /// Restarts the mask sequence from `seed` (gradient checks need the same mask twice).
  public func reseed(_ seed: UInt64) { generator = SplitMix64(seed: seed) }

  public var generatorStates: [String: UInt64] { ["": generator.state] }

  public func restoreGeneratorStates(_ states: [String: UInt64]) {
    if let state = states[""] { generator = SplitMix64(seed: state) }
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    guard mode == .training, rate > 0 else { return input }
    let scale = 1 / (1 - rate)
    mask = Tensor(zeros: input.shape)
    var output = input
    mask.withUnsafeMutableBufferPointer { m in
      output.withUnsafeMutableBufferPointer { y in
        for i in 0..<y.count {
          m[i] = generator.nextUnitFloat() < rate ? 0 : scale
          y[i] *= m[i]
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    guard rate > 0 else { return outputGradient }
    return outputGradient * mask
  }
}
