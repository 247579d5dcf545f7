// LSTM (the course's "Long Short-Term Memory"): an RNN whose memory is a cell state
// changed only by gated addition, so gradients can flow back over many steps without
// vanishing. PyTorch's equations and gate order (i, f, g, o), so its weights load as they are.
// N = batch size, T = time steps, F = input features, H = hidden size; see Recurrent.swift.

/// A long short-term memory layer with backpropagation through time over the whole sequence.
///
/// `[N, T, F] → [N, T, H]` (`.allSteps`) or `[N, H]` (`.lastStep`), starting from h₀ = c₀ = 0:
/// ```
/// i = σ(x·W_iiᵀ + b_ii + h·W_hiᵀ + b_hi)     input gate
/// f = σ(x·W_ifᵀ + b_if + h·W_hfᵀ + b_hf)     forget gate
/// g = tanh(x·W_igᵀ + b_ig + h·W_hgᵀ + b_hg)  cell candidate
/// o = σ(x·W_ioᵀ + b_io + h·W_hoᵀ + b_ho)     output gate
/// c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')
/// ```
/// The four gates are stacked in that order in `weight_ih` `[4H, F]`, `weight_hh` `[4H, H]`,
/// `bias_ih` `[4H]` and `bias_hh` `[4H]`, as in PyTorch's `nn.LSTM` (whose names end in `_l0`).
/// Because the cell state passes from step to step through `f ⊙ c` only (no squashing, no
/// weight matrix), ∂c_T/∂c_t is a product of forget gates, which the network can hold near 1.
/// - Paper: Hochreiter & Schmidhuber, "Long Short-Term Memory", Neural Computation 1997;
///   forget gate: Gers, Schmidhuber & Cummins 2000.
public final class LSTM: Layer {
  private let core: RecurrentCore

  /// An LSTM from `inputSize` features to `hiddenSize` units, initialised as PyTorch does
  /// (every parameter U(−1/√H, 1/√H)).
  ///
  /// `forgetGateBias` is added to the forget gate's part of `bias_hh`. PyTorch adds nothing
  /// (the default); 1 (Keras's `unit_forget_bias`) or 2 start the forget gate near σ(1) ≈ 0.73
  /// or σ(2) ≈ 0.88 instead of 0.5, so at first the cell keeps what it stores for a few dozen
  /// steps instead of halving it at every step, and long dependencies have a gradient to learn
  /// from (Gers, Schmidhuber & Cummins 2000; Jozefowicz, Zaremba & Sutskever, ICML 2015).
  public init(
    inputSize: Int, hiddenSize: Int, output: RecurrentOutput = .allSteps,
    forgetGateBias: Float = 0, using generator: inout some RandomNumberGenerator
  ) {
    core = RecurrentCore(
      inputSize: inputSize, hiddenSize: hiddenSize, gateCount: 4, output: output,
      using: &generator)
    core.biasHH.value.withUnsafeMutableBufferPointer { bias in
      for j in hiddenSize..<(2 * hiddenSize) { bias[j] += forgetGateBias }
    }
  }

  /// An LSTM with given parameters in PyTorch's layout (`weight_ih` `[4H, F]`, `weight_hh`
  /// `[4H, H]`, biases `[4H]`, gates in the order i, f, g, o).
  public init(
    weightIH: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor,
    output: RecurrentOutput = .allSteps
  ) {
    core = RecurrentCore(
      weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH, gateCount: 4,
      output: output)
  }

  public var inputSize: Int { core.inputSize }
  public var hiddenSize: Int { core.hiddenSize }
  public var output: RecurrentOutput { core.output }
  /// `[4H, F]`, gates i, f, g, o.
  public var weightIH: Parameter { core.weightIH }
  /// `[4H, H]`.
  public var weightHH: Parameter { core.weightHH }
  /// `[4H]`.
  public var biasIH: Parameter { core.biasIH }
  /// `[4H]`.
  public var biasHH: Parameter { core.biasHH }

  public var namedParameters: [(name: String, parameter: Parameter)] { core.namedParameters }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    core.forward(input, layer: "LSTM") { slice, t in
      // In the slice's buffers (n samples, time-major): gates [T, n, 4H] hold the
      // pre-activations and are activated in place; c_0 … c_T and h_0 … h_T are [T + 1, n, H].
      let (n, h) = (slice.count, hiddenSize)
      let gates = slice.preactivations.pointer
      let (c, hs) = (slice.cells.reserve((t + 1) * n * h), slice.hidden.pointer)
      let cellTanh = slice.cellTanh.reserve(t * n * h)
      c.update(repeating: 0, count: n * h)
      for step in 0..<t {
        let row = step * n
        // All four gates' recurrent part at once: [n, H] × [H, 4H] → [n, 4H].
        core.addRecurrent(hs + row * h, into: gates + row * 4 * h, rows: n)
        LSTM.cellForward(
          gates: gates + row * 4 * h, previousCell: c + row * h, cell: c + (row + n) * h,
          cellTanh: cellTanh + row * h, hidden: hs + (row + n) * h, count: n, width: h)
      }
    }
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    core.backward(outputGradient) { slice, t in
      let (n, h) = (slice.count, hiddenSize)
      let dh = slice.hiddenGradient.pointer
      let dc = slice.cellGradient.reserve(n * h)
      dc.update(repeating: 0, count: n * h)
      let dPre = slice.preactivationGradient.reserve(t * n * 4 * h)
      for step in stride(from: t - 1, through: 0, by: -1) {
        let row = step * n
        LSTM.cellBackward(
          hiddenGradient: dh + row * h, cellGradient: dc,
          gates: slice.preactivations.pointer + row * 4 * h,
          previousCell: slice.cells.pointer + row * h, cellTanh: slice.cellTanh.pointer + row * h,
          gateGradient: dPre + row * 4 * h, count: n, width: h)
        // ∂h_{t−1} += ∂pre_t·W_hh: [n, 4H] × [4H, H] → [n, H].
        if step > 0 {
          core.propagateRecurrent(dPre + row * 4 * h, into: dh + (row - n) * h, rows: n)
        }
      }
    }
  }

  /// One step's element-wise work for `count` rows: activates the pre-activations in place
  /// (`gates` `[count, 4H]`) and computes the new cell state, its tanh and the hidden state.
  @inline(__always)
  static func cellForward(
    gates: UnsafeMutablePointer<Float>, previousCell: UnsafePointer<Float>,
    cell: UnsafeMutablePointer<Float>, cellTanh: UnsafeMutablePointer<Float>,
    hidden: UnsafeMutablePointer<Float>, count: Int, width h: Int
  ) {
    for row in 0..<count {
      let z = gates + row * 4 * h
      let (cp, c) = (previousCell + row * h, cell + row * h)
      let (tc, hs) = (cellTanh + row * h, hidden + row * h)
      // i and f are adjacent: one sigmoid over 2H; then g (tanh) and o (sigmoid).
      VectorMath.sigmoid(z, into: z, count: 2 * h)
      VectorMath.tanh(z + 2 * h, into: z + 2 * h, count: h)
      VectorMath.sigmoid(z + 3 * h, into: z + 3 * h, count: h)
      let (i, f, g, o) = (z, z + h, z + 2 * h, z + 3 * h)
      for j in 0..<h { c[j] = f[j] * cp[j] + i[j] * g[j] }
      VectorMath.tanh(c, into: tc, count: h)
      for j in 0..<h { hs[j] = o[j] * tc[j] }
    }
  }

  /// One step backward for `count` rows. Reads ∂h_t (`hiddenGradient`) and the ∂c_t that
  /// flowed back from step t+1 (`cellGradient`, replaced by ∂c_{t−1}), and writes
  /// ∂(pre-activations) of i, f, g, o into `gateGradient` `[count, 4H]`.
  @inline(__always)
  static func cellBackward(
    hiddenGradient: UnsafePointer<Float>, cellGradient: UnsafeMutablePointer<Float>,
    gates: UnsafePointer<Float>, previousCell: UnsafePointer<Float>,
    cellTanh: UnsafePointer<Float>, gateGradient: UnsafeMutablePointer<Float>,
    count: Int, width h: Int
  ) {
    typealias Lanes = SIMD8<Float>
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> Lanes {
      UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }
    @inline(__always) func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
      UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }
    let one = Lanes(repeating: 1)
    let vectorWidth = h - h % Lanes.scalarCount
    for row in 0..<count {
      let (z, dz) = (gates + row * 4 * h, gateGradient + row * 4 * h)
      let (dh, dc) = (hiddenGradient + row * h, cellGradient + row * h)
      let (cp, tc) = (previousCell + row * h, cellTanh + row * h)
      // Eight units at a time, then the same formulas one by one for the rest.
      for j in stride(from: 0, to: vectorWidth, by: Lanes.scalarCount) {
        let (i, f, g, o) = (load(z + j), load(z + h + j), load(z + 2 * h + j), load(z + 3 * h + j))
        let (dhj, tcj) = (load(dh + j), load(tc + j))
        let dCell = load(dc + j) + dhj * o * (one - tcj * tcj)
        store(dCell * g * i * (one - i), dz + j)
        store(dCell * load(cp + j) * f * (one - f), dz + h + j)
        store(dCell * i * (one - g * g), dz + 2 * h + j)
        store(dhj * tcj * o * (one - o), dz + 3 * h + j)
        store(dCell * f, dc + j)
      }
      for j in vectorWidth..<h {
        let (i, f, g, o) = (z[j], z[h + j], z[2 * h + j], z[3 * h + j])
        // h = o·tanh(c): ∂c gets ∂h·o·(1 − tanh²c) on top of what came from step t+1.
        let dCell = dc[j] + dh[j] * o * (1 - tc[j] * tc[j])
        dz[j] = dCell * g * i * (1 - i)
        dz[h + j] = dCell * cp[j] * f * (1 - f)
        dz[2 * h + j] = dCell * i * (1 - g * g)
        dz[3 * h + j] = dh[j] * tc[j] * o * (1 - o)
        // c = f·c_prev + i·g: the cell gradient passes back through the forget gate only.
        dc[j] = dCell * f
      }
    }
  }
}
