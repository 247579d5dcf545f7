// How a layer's first weights are chosen (the course's "primeros pesos"): the scale must
// keep activations and gradients from shrinking or exploding from layer to layer.
// fanIn = inputs per output unit, fanOut = outputs per input unit (× kernel area for convs).

/// A rule for the initial values of a weight tensor.
public enum Initializer: Sendable {
  /// All zeros (biases).
  case zeros
  /// Glorot/Xavier uniform: U(−a, a), a = √(6 / (fanIn + fanOut)). For tanh and sigmoid.
  /// - Paper: Glorot & Bengio, AISTATS 2010.
  case glorotUniform
  /// Glorot/Xavier normal: N(0, 2 / (fanIn + fanOut)).
  case glorotNormal
  /// He/Kaiming normal: N(0, 2 / fanIn). For ReLU, which zeroes half its inputs.
  /// - Paper: He et al., arXiv:1502.01852.
  case heNormal
  /// He/Kaiming uniform: U(−a, a), a = √(6 / fanIn).
  case heUniform
  /// PyTorch's default for Linear and Conv: U(−1/√fanIn, 1/√fanIn).
  case lecunUniform

  /// A tensor of `shape` drawn from this rule, with the given fan-in and fan-out.
  public func make(
    shape: [Int], fanIn: Int, fanOut: Int, using generator: inout some RandomNumberGenerator
  ) -> Tensor {
    let count = Tensor.count(of: shape)
    let fanIn = Float(max(fanIn, 1))
    let fanOut = Float(max(fanOut, 1))
    func uniform(_ bound: Float) -> [Float] {
      (0..<count).map { _ in (generator.nextUnitFloat() * 2 - 1) * bound }
    }
    func normal(_ std: Float) -> [Float] {
      (0..<count).map { _ in generator.nextGaussian() * std }
    }
    let scalars: [Float]
    switch self {
    case .zeros: scalars = [Float](repeating: 0, count: count)
    case .glorotUniform: scalars = uniform((6 / (fanIn + fanOut)).squareRoot())
    case .glorotNormal: scalars = normal((2 / (fanIn + fanOut)).squareRoot())
    case .heNormal: scalars = normal((2 / fanIn).squareRoot())
    case .heUniform: scalars = uniform((6 / fanIn).squareRoot())
    case .lecunUniform: scalars = uniform(1 / fanIn.squareRoot())
    }
    return Tensor(shape: shape, scalars: scalars)
  }
}
