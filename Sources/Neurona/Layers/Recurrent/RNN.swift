// The plain recurrent layer (the course's "RNN"): a hidden state fed back into itself
// through tanh at every step. It remembers, but its gradient over k steps is a product of k
// Jacobians diag(1 − h²)·W_hh, which vanishes (or explodes) as k grows — the LSTM's reason.
// N = batch size, T = time steps, F = input features, H = hidden size; see Recurrent.swift.

/// An Elman RNN with tanh and backpropagation through time over the whole sequence.
///
/// `[N, T, F] → [N, T, H]` (`.allSteps`) or `[N, H]` (`.lastStep`), starting from h₀ = 0:
/// `h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)`, as PyTorch's `nn.RNN`
/// (`weight_ih` `[H, F]`, `weight_hh` `[H, H]`, `bias_ih` and `bias_hh` `[H]`).
/// - Paper: Elman, "Finding Structure in Time", Cognitive Science 1990.
public final class RNN: Layer {
  private let core: RecurrentCore

  /// An RNN from `inputSize` features to `hiddenSize` units, initialised as PyTorch does
  /// (every parameter U(−1/√H, 1/√H)).
  public init(
    inputSize: Int, hiddenSize: Int, output: RecurrentOutput = .allSteps,
    using generator: inout some RandomNumberGenerator
  ) {
    core = RecurrentCore(
      inputSize: inputSize, hiddenSize: hiddenSize, gateCount: 1, output: output,
      using: &generator)
  }

  /// An RNN with given parameters in PyTorch's layout (`weight_ih` `[H, F]`, `weight_hh`
  /// `[H, H]`, biases `[H]`).
  public init(
    weightIH: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor,
    output: RecurrentOutput = .allSteps
  ) {
    core = RecurrentCore(
      weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH, gateCount: 1,
      output: output)
  }

  public var inputSize: Int { core.inputSize }
  public var hiddenSize: Int { core.hiddenSize }
  public var output: RecurrentOutput { core.output }
  /// `[H, F]`.
  public var weightIH: Parameter { core.weightIH }
  /// `[H, H]`.
  public var weightHH: Parameter { core.weightHH }
  /// `[H]`.
  public var biasIH: Parameter { core.biasIH }
  /// `[H]`.
  public var biasHH: Parameter { core.biasHH }

  public var namedParameters: [(name: String, parameter: Parameter)] { core.namedParameters }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    core.forward(input, layer: "RNN") { slice, t in
      // In the slice's buffers (n samples, time-major): pre-activations [T, n, H],
      // h_0 … h_T [T + 1, n, H].
      let (n, h) = (slice.count, hiddenSize)
      let (pre, hs) = (slice.preactivations.pointer, slice.hidden.pointer)
      for step in 0..<t {
        let row = step * n
        // [n, H] × [H, H] → [n, H], then h_t = tanh(·).
        core.addRecurrent(hs + row * h, into: pre + row * h, rows: n)
        VectorMath.tanh(pre + row * h, into: hs + (row + n) * h, count: n * h)
      }
    }
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    core.backward(outputGradient) { slice, t in
      let (n, h) = (slice.count, hiddenSize)
      let (dh, hs) = (slice.hiddenGradient.pointer, slice.hidden.pointer)
      let dPre = slice.preactivationGradient.reserve(t * n * h)
      for step in stride(from: t - 1, through: 0, by: -1) {
        let row = step * n
        let (dStep, dhStep, hStep) = (dPre + row * h, dh + row * h, hs + (row + n) * h)
        // tanh' = 1 − h².
        for k in 0..<(n * h) { dStep[k] = dhStep[k] * (1 - hStep[k] * hStep[k]) }
        // ∂h_{t−1} += ∂a_t·W_hh: [n, H] × [H, H] → [n, H].
        if step > 0 { core.propagateRecurrent(dStep, into: dh + (row - n) * h, rows: n) }
      }
    }
  }
}
