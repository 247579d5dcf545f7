// Dropout (the course's "poda neuronal"): during training each unit is zeroed with
// probability p and the survivors scaled by 1/(1−p) ("inverted" dropout), so the expected
// activation is unchanged and inference is the identity. No parameters.

/// Randomly zeroes units while training; the identity at inference. `[any] → [same]`.
///
/// Its generator's state is not a parameter (model files don't carry it); checkpoints save it
/// through `GeneratorOwner`, so a resumed run draws the same masks. Each training pass draws
/// one number from it, and row r's mask comes from that number and the row's place in the
/// global batch (`GlobalBatch.firstRow + r`): an example gets the same mask whichever
/// process of a data-parallel run holds it, so one process and P processes train alike.
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
    forward(input, mode: mode, firstRow: GlobalBatch.firstRow)
  }

  /// Forward for rows `firstRow…` of a global batch (their masks are those rows' masks in a
  /// pass over the whole batch).
  public func forward(_ input: Tensor, mode: Mode, firstRow: Int) -> Tensor {
    guard mode == .training, rate > 0 else { return input }
    let scale = 1 / (1 - rate)
    mask = Tensor(zeros: input.shape)
    var output = input
    let draw = generator.next()
    let rows = max(input.shape.first ?? 1, 1)
    let width = input.count / rows
    mask.withUnsafeMutableBufferPointer { m in
      output.withUnsafeMutableBufferPointer { y in
        for row in 0..<rows {
          var rowGenerator = SplitMix64(seed: mixedSeed(draw, UInt64(firstRow + row)))
          for i in (row * width)..<((row + 1) * width) {
            m[i] = rowGenerator.nextUnitFloat() < rate ? 0 : scale
            y[i] *= m[i]
          }
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
