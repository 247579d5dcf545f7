// Dense (fully connected): the weighted sum of the course, y = x·Wᵀ + b, for a batch.
// N = batch size, I = input features, O = output features.

/// A fully connected layer: every output is a weighted sum of all inputs plus a bias.
///
/// `[N, I] → [N, O]`, `y = x·Wᵀ + b`, with `weight` stored `[O, I]` as in PyTorch's Linear.
public final class Dense: Layer {
  /// `[O, I]`.
  public let weight: Parameter
  /// `[O]`.
  public let bias: Parameter
  private var input = Tensor(zeros: [0, 0])

  /// A layer from `inputSize` to `outputSize` features with seeded initial weights.
  public init(
    _ inputSize: Int, _ outputSize: Int, initializer: Initializer = .heNormal,
    using generator: inout some RandomNumberGenerator
  ) {
    weight = Parameter(
      initializer.make(
        shape: [outputSize, inputSize], fanIn: inputSize, fanOut: outputSize, using: &generator))
    bias = Parameter(Tensor(zeros: [outputSize]), role: .bias)
  }

  /// A layer with the given weights `[O, I]` and bias `[O]`.
  public init(weight: Tensor, bias: Tensor) {
    precondition(weight.rank == 2 && bias.shape == [weight.shape[0]], "Dense weight/bias shapes")
    self.weight = Parameter(weight)
    self.bias = Parameter(bias, role: .bias)
  }

  public var inputSize: Int { weight.value.shape[1] }
  public var outputSize: Int { weight.value.shape[0] }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    [("weight", weight), ("bias", bias)]
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    precondition(
      input.rank == 2 && input.shape[1] == inputSize,
      "Dense(\(inputSize)→\(outputSize)) needs [N, \(inputSize)], got \(input.shape)")
    if mode == .training { self.input = input }
    let n = input.shape[0]
    // Start from the broadcast bias, then add x·Wᵀ: [N, I] × [I, O] → [N, O].
    var output = Tensor(zeros: [n, outputSize])
    output.withUnsafeMutableBufferPointer { out in
      bias.value.withUnsafeBufferPointer { b in
        for row in 0..<n {
          (out.baseAddress! + row * outputSize).update(from: b.baseAddress!, count: outputSize)
        }
      }
      input.withUnsafeBufferPointer { x in
        weight.value.withUnsafeBufferPointer { w in
          GEMM.multiply(
            x.baseAddress!, w.baseAddress!, transposeB: true, into: out.baseAddress!,
            m: n, n: outputSize, k: inputSize, beta: 1)
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let n = input.shape[0]
    precondition(outputGradient.shape == [n, outputSize], "Dense backward: gradient shape")
    var inputGradient = Tensor(zeros: [n, inputSize])
    outputGradient.withUnsafeBufferPointer { dy in
      // ∂W += dyᵀ·x: [O, N] × [N, I] → [O, I].
      input.withUnsafeBufferPointer { x in
        weight.gradient.withUnsafeMutableBufferPointer { dw in
          GEMM.multiply(
            dy.baseAddress!, transposeA: true, x.baseAddress!, into: dw.baseAddress!,
            m: outputSize, n: inputSize, k: n, beta: 1)
        }
      }
      // ∂b += Σ_rows dy.
      bias.gradient.withUnsafeMutableBufferPointer { db in
        for row in 0..<n {
          for o in 0..<outputSize { db[o] += dy[row * outputSize + o] }
        }
      }
      // ∂x = dy·W: [N, O] × [O, I] → [N, I].
      weight.value.withUnsafeBufferPointer { w in
        inputGradient.withUnsafeMutableBufferPointer { dx in
          GEMM.multiply(
            dy.baseAddress!, w.baseAddress!, into: dx.baseAddress!,
            m: n, n: inputSize, k: outputSize)
        }
      }
    }
    return inputGradient
  }
}
