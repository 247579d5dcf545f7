// The perceptron: a threshold logic unit (TLU) trained by Rosenblatt's rule, not by
// gradients (its step has none). It learns any linearly separable function (AND, OR)
// and provably cannot learn XOR, the limit that multi-layer networks overcame.

/// A single TLU, y = step(w·x + b), trained with the perceptron learning rule.
public struct Perceptron {
  /// One weight per input.
  public private(set) var weights: [Float]
  /// The threshold, as a bias: the unit fires when w·x ≥ −b.
  public private(set) var bias: Float
  /// η, how far each mistake moves the weights.
  public var learningRate: Float

  /// A perceptron with `inputCount` inputs and all weights zero.
  public init(inputCount: Int, learningRate: Float = 1) {
    weights = [Float](repeating: 0, count: inputCount)
    bias = 0
    self.learningRate = learningRate
  }

  /// The weighted sum w·x + b.
  public func weightedSum(_ input: [Float]) -> Float {
    precondition(input.count == weights.count, "perceptron expects \(weights.count) inputs")
    return zip(weights, input).reduce(bias) { $0 + $1.0 * $1.1 }
  }

  /// The unit's output, 1 or 0.
  public func predict(_ input: [Float]) -> Float {
    weightedSum(input) >= 0 ? 1 : 0
  }

  /// One pass of the rule over the examples: w ← w + η(y − ŷ)x, b ← b + η(y − ŷ).
  /// - Returns: how many examples were misclassified before their update.
  @discardableResult
  public mutating func trainEpoch(inputs: [[Float]], targets: [Float]) -> Int {
    var mistakes = 0
    for (x, y) in zip(inputs, targets) {
      let error = y - predict(x)
      guard error != 0 else { continue }
      mistakes += 1
      for i in weights.indices { weights[i] += learningRate * error * x[i] }
      bias += learningRate * error
    }
    return mistakes
  }

  /// Trains until an epoch makes no mistake or `maxEpochs` pass.
  /// - Returns: whether it converged (every example right).
  public mutating func train(inputs: [[Float]], targets: [Float], maxEpochs: Int = 100) -> Bool {
    for _ in 0..<maxEpochs where trainEpoch(inputs: inputs, targets: targets) == 0 {
      return true
    }
    return false
  }
}
