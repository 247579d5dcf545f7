// Activation functions (the course's "función de activación") as parameter-free layers,
// each with its derivative beside it. Shapes are unchanged: [any] → [same].
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An element-wise activation defined by a function and its derivative.
///
/// The derivative is written in terms of the input `x` and the output `y = f(x)`, so that
/// sigmoid and tanh can use their outputs (σ' = y(1−y), tanh' = 1−y²).
public class ElementwiseActivation: Layer {
  private var input = Tensor(zeros: [0])
  private var output = Tensor(zeros: [0])

  /// f(x).
  public func activate(_ x: Float) -> Float { fatalError("override") }
  /// f'(x), given x and y = f(x).
  public func derivative(_ x: Float, _ y: Float) -> Float { fatalError("override") }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    var output = input
    output.withUnsafeMutableBufferPointer { y in
      for i in 0..<y.count { y[i] = activate(y[i]) }
    }
    if mode == .training {
      self.input = input
      self.output = output
    }
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    precondition(outputGradient.shape == input.shape, "activation backward: gradient shape")
    var inputGradient = outputGradient
    inputGradient.withUnsafeMutableBufferPointer { g in
      input.withUnsafeBufferPointer { x in
        output.withUnsafeBufferPointer { y in
          for i in 0..<g.count { g[i] *= derivative(x[i], y[i]) }
        }
      }
    }
    return inputGradient
  }
}

/// The threshold logic unit's step: 1 if x ≥ 0, else 0.
///
/// Its derivative is 0 everywhere it exists, so gradient descent cannot train it: the
/// perceptron rule (`Perceptron`) does. Backward returns zeros, which is the truth.
public final class Step: ElementwiseActivation {
  public override init() {}
  public override func activate(_ x: Float) -> Float { x >= 0 ? 1 : 0 }
  public override func derivative(_ x: Float, _ y: Float) -> Float { 0 }
}

/// σ(x) = 1 / (1 + e^−x), into (0, 1); σ' = σ(1 − σ).
public final class Sigmoid: ElementwiseActivation {
  public override init() {}
  public override func activate(_ x: Float) -> Float { sigmoid(x) }
  public override func derivative(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}

/// tanh(x), into (−1, 1); tanh' = 1 − tanh².
public final class Tanh: ElementwiseActivation {
  public override init() {}
  public override func activate(_ x: Float) -> Float { tanhf(x) }
  public override func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}

/// ReLU(x) = max(0, x). The derivative at 0 is taken as 0 (as PyTorch does): the kink has
/// no derivative, and 0 keeps units that are exactly off from moving.
///
/// Overrides the generic per-element path with two plain loops (one dynamic call per element
/// made it several times slower, and it runs after every convolution), split between the
/// workers for big tensors. y > 0 exactly when x > 0, so only the output is kept for backward.
public final class ReLU: ElementwiseActivation {
  private var output = Tensor(zeros: [0])

  public override init() {}
  public override func activate(_ x: Float) -> Float { x > 0 ? x : 0 }
  public override func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }

  public override func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let count = input.count
    guard count > 0 else { return input }
    let output = Tensor(uninitializedShape: input.shape) { y in
      input.withUnsafeBufferPointer { x in
        let (target, source) = (y.baseAddress!, x.baseAddress!)
        ParallelPasses.forEachRange(count, elementsPerItem: 1, alignment: 64) { range in
          for i in range { target[i] = source[i] > 0 ? source[i] : 0 }
        }
      }
    }
    if mode == .training { self.output = output }
    return output
  }

  /// Takes `output` as this layer's training output, computed elsewhere (a convolution that
  /// rectified its own output: TrainingFusion.swift).
  func keep(output: Tensor) { self.output = output }

  /// The output of the last training forward (what backward masks by).
  var trainingOutput: Tensor { output }

  public override func backward(_ outputGradient: Tensor) -> Tensor {
    precondition(outputGradient.shape == output.shape, "ReLU backward: gradient shape")
    let count = output.count
    guard count > 0 else { return outputGradient }
    return Tensor(uninitializedShape: output.shape) { dx in
      output.withUnsafeBufferPointer { y in
        outputGradient.withUnsafeBufferPointer { dy in
          let (target, mask, source) = (dx.baseAddress!, y.baseAddress!, dy.baseAddress!)
          // Both loads unconditional: a select, not a branch (signs are random: no prediction).
          ParallelPasses.forEachRange(count, elementsPerItem: 2, alignment: 64) { range in
            for i in range {
              let (y, g) = (mask[i], source[i])
              target[i] = y > 0 ? g : 0
            }
          }
        }
      }
    }
  }
}

/// A numerically safe logistic function: never evaluates e^x for large positive x.
@inline(__always)
public func sigmoid(_ x: Float) -> Float {
  if x >= 0 { return 1 / (1 + expf(-x)) }
  let e = expf(x)
  return e / (1 + e)
}

/// Softmax over the last dimension: `[N, K] → [N, K]`, each row positive and summing to 1.
///
/// Computed as e^(x − max) / Σ e^(x − max) so large logits cannot overflow. For training a
/// classifier, prefer `SoftmaxCrossEntropy` on the logits: it is more stable and cheaper.
public final class Softmax: Layer {
  private var output = Tensor(zeros: [0, 0])

  public init() {}

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    let output = Softmax.probabilities(input)
    if mode == .training { self.output = output }
    return output
  }

  /// ∂x_j = y_j (g_j − Σ_k g_k y_k), row by row.
  public func backward(_ outputGradient: Tensor) -> Tensor {
    let k = output.shape[output.rank - 1]
    var inputGradient = outputGradient
    inputGradient.withUnsafeMutableBufferPointer { g in
      output.withUnsafeBufferPointer { y in
        for row in 0..<(y.count / k) {
          let base = row * k
          var dot: Float = 0
          for j in 0..<k { dot += g[base + j] * y[base + j] }
          for j in 0..<k { g[base + j] = y[base + j] * (g[base + j] - dot) }
        }
      }
    }
    return inputGradient
  }

  /// The softmax of each row of the last dimension.
  public static func probabilities(_ logits: Tensor) -> Tensor {
    let k = logits.shape[logits.rank - 1]
    var output = logits
    output.withUnsafeMutableBufferPointer { y in
      for row in 0..<(y.count / max(k, 1)) {
        let base = row * k
        var largest = -Float.infinity
        for j in 0..<k { largest = max(largest, y[base + j]) }
        var total: Float = 0
        for j in 0..<k {
          y[base + j] = expf(y[base + j] - largest)
          total += y[base + j]
        }
        for j in 0..<k { y[base + j] /= total }
      }
    }
    return output
  }
}
