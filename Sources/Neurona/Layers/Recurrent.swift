// What RNN and LSTM share (the seed notes' "conexiones recurrentes"): the four PyTorch-named
// parameters, their initialisation, and the sequence-wide matrix products. Each cell (RNN.swift,
// LSTM.swift) only adds its per-step element-wise work.
//
// N = batch size, T = time steps, F = input features, H = hidden size, G = gates per step
// (1 for RNN, 4 for LSTM). Layers take batch-first input [N, T, F]; inside, everything is
// time-major ([T, N, ·]) so that the rows of one time step are contiguous and each step's
// recurrent product is one GEMM over the whole batch.

/// What a recurrent layer returns.
public enum RecurrentOutput: Sendable {
  /// Every hidden state, `[N, T, H]` (PyTorch's `output`, Keras's `return_sequences=True`).
  case allSteps
  /// Only the last hidden state, `[N, H]` (PyTorch's `h_n`; what a sequence classifier needs).
  case lastStep
}

/// The parameters of a recurrent layer and the products that do not depend on the cell type.
///
/// Forward: `project` computes x·W_ihᵀ + b_ih + b_hh for all steps in one GEMM, then each
/// step adds h_{t−1}·W_hhᵀ for all G gates at once (`addRecurrent`). Backward: the cell
/// leaves ∂loss/∂(pre-activations) for every step in one buffer, each step sends it back to
/// h_{t−1} (`propagateRecurrent`), and `finishBackward` turns the whole buffer into the
/// weight, bias and input gradients with one GEMM each.
final class RecurrentCore {
  /// A growable scratch buffer kept between calls, so passes allocate only when N·T grows.
  final class Buffer {
    private(set) var pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var capacity = 1

    /// Room for `count` floats; the contents are undefined after growing.
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
      if count > capacity {
        pointer.deallocate()
        pointer = .allocate(capacity: count)
        capacity = count
      }
      return pointer
    }

    deinit { pointer.deallocate() }
  }

  let inputSize: Int
  let hiddenSize: Int
  let gateCount: Int
  let output: RecurrentOutput
  /// `[G·H, F]`.
  let weightIH: Parameter
  /// `[G·H, H]`.
  let weightHH: Parameter
  /// `[G·H]`.
  let biasIH: Parameter
  /// `[G·H]`.
  let biasHH: Parameter

  /// N and T of the last forward pass.
  private(set) var batch = 0
  private(set) var steps = 0
  /// The last input, time-major `[T, N, F]` (backward needs it for ∂W_ih).
  private let inputs = Buffer()
  /// ∂loss/∂input, time-major `[T, N, F]`, before it is turned batch-first.
  private let inputGradientRows = Buffer()

  /// Parameters drawn as PyTorch does: every weight and bias U(−1/√H, 1/√H).
  init(
    inputSize: Int, hiddenSize: Int, gateCount: Int, output: RecurrentOutput,
    using generator: inout some RandomNumberGenerator
  ) {
    precondition(inputSize > 0 && hiddenSize > 0, "recurrent sizes must be positive")
    let rows = gateCount * hiddenSize
    let bound = 1 / Float(hiddenSize).squareRoot()
    func uniform(_ shape: [Int]) -> Tensor {
      let count = Tensor.count(of: shape)
      return Tensor(
        shape: shape, scalars: (0..<count).map { _ in (generator.nextUnitFloat() * 2 - 1) * bound })
    }
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.gateCount = gateCount
    self.output = output
    weightIH = Parameter(uniform([rows, inputSize]))
    weightHH = Parameter(uniform([rows, hiddenSize]))
    biasIH = Parameter(uniform([rows]), role: .bias)
    biasHH = Parameter(uniform([rows]), role: .bias)
  }

  /// Parameters with given values (PyTorch's layout and gate order).
  init(
    weightIH: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor, gateCount: Int,
    output: RecurrentOutput
  ) {
    precondition(weightIH.rank == 2 && weightHH.rank == 2, "recurrent weights must be rank 2")
    let rows = weightIH.shape[0]
    precondition(rows % gateCount == 0, "weight_ih rows must be \(gateCount)·H")
    let hidden = rows / gateCount
    precondition(
      weightHH.shape == [rows, hidden] && biasIH.shape == [rows] && biasHH.shape == [rows],
      "recurrent parameter shapes: weight_hh must be [\(rows), \(hidden)], biases [\(rows)]")
    inputSize = weightIH.shape[1]
    hiddenSize = hidden
    self.gateCount = gateCount
    self.output = output
    self.weightIH = Parameter(weightIH)
    self.weightHH = Parameter(weightHH)
    self.biasIH = Parameter(biasIH, role: .bias)
    self.biasHH = Parameter(biasHH, role: .bias)
  }

  var namedParameters: [(name: String, parameter: Parameter)] {
    [("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH)]
  }

  /// G·H: the width of one step's pre-activations.
  var gateWidth: Int { gateCount * hiddenSize }

  // MARK: Forward

  /// Checks `input` is `[N, T, F]`, keeps it time-major, and writes the input projection of
  /// every step into `preactivations` (`[T, N, G·H]`, room for T·N·G·H floats).
  func project(_ input: Tensor, into preactivations: UnsafeMutablePointer<Float>, layer: String) {
    precondition(
      input.rank == 3 && input.shape[2] == inputSize && input.shape[1] > 0,
      "\(layer)(\(inputSize)→\(hiddenSize)) needs [N, T, \(inputSize)] with T ≥ 1, got \(input.shape)")
    (batch, steps) = (input.shape[0], input.shape[1])
    let (n, t, f, width) = (batch, steps, inputSize, gateWidth)
    let x = inputs.reserve(t * n * f)
    // [N, T, F] → [T, N, F].
    input.withUnsafeBufferPointer { source in
      for sample in 0..<n {
        for step in 0..<t {
          (x + (step * n + sample) * f).update(
            from: source.baseAddress! + (sample * t + step) * f, count: f)
        }
      }
    }
    // Every row starts as b_ih + b_hh, then += x·W_ihᵀ: [T·N, F] × [F, G·H] → [T·N, G·H].
    biasIH.value.withUnsafeBufferPointer { bi in
      biasHH.value.withUnsafeBufferPointer { bh in
        for j in 0..<width { preactivations[j] = bi[j] + bh[j] }
      }
    }
    for row in 1..<(t * n) { (preactivations + row * width).update(from: preactivations, count: width) }
    weightIH.value.withUnsafeBufferPointer { w in
      GEMM.multiply(
        x, w.baseAddress!, transposeB: true, into: preactivations,
        m: t * n, n: width, k: f, beta: 1)
    }
  }

  /// Runs `body(first, count)` over slices of the batch's samples on one thread per core
  /// (BLAS single-threaded meanwhile). The time loop is sequential and each step's products
  /// are small, so splitting the batch beats handing every product to BLAS's threads, which
  /// would fork and join twice per step; the element-wise cell work is split too.
  func forEachBatchSlice(_ body: (_ first: Int, _ count: Int) -> Void) {
    let n = batch
    let slices = max(1, min(ComputeThreads.cores, n / RecurrentCore.minimumSliceRows))
    ComputeThreads.concurrentSlices(slices) { slice in
      let (first, end) = (slice * n / slices, (slice + 1) * n / slices)
      body(first, end - first)
    }
  }

  /// Below this many samples per thread, one thread does the whole batch.
  static let minimumSliceRows = 16

  /// One step's recurrent part for all gates at once: `step += hidden·W_hhᵀ`,
  /// [rows, H] × [H, G·H] → [rows, G·H].
  @inline(__always)
  func addRecurrent(
    _ hidden: UnsafePointer<Float>, into step: UnsafeMutablePointer<Float>, rows: Int
  ) {
    weightHH.value.withUnsafeBufferPointer { w in
      GEMM.multiply(
        hidden, w.baseAddress!, transposeB: true, into: step,
        m: rows, n: gateWidth, k: hiddenSize, beta: 1)
    }
  }

  /// The layer's output from the time-major hidden states h_1 … h_T (`[T, N, H]`).
  func makeOutput(from hidden: UnsafePointer<Float>) -> Tensor {
    let (n, t, h) = (batch, steps, hiddenSize)
    switch output {
    case .lastStep:
      // The last block is already [N, H].
      return Tensor(shape: [n, h], scalars: Array(UnsafeBufferPointer(start: hidden + (t - 1) * n * h, count: n * h)))
    case .allSteps:
      var result = Tensor(zeros: [n, t, h])
      result.withUnsafeMutableBufferPointer { y in
        // [T, N, H] → [N, T, H].
        for step in 0..<t {
          for sample in 0..<n {
            (y.baseAddress! + (sample * t + step) * h).update(
              from: hidden + (step * n + sample) * h, count: h)
          }
        }
      }
      return result
    }
  }

  // MARK: Backward

  /// Writes ∂loss/∂h_t for every step, time-major `[T, N, H]`, from the layer's output
  /// gradient (zero before the last step when only the last state was returned).
  func loadOutputGradient(_ gradient: Tensor, into dHidden: UnsafeMutablePointer<Float>) {
    let (n, t, h) = (batch, steps, hiddenSize)
    let expected = output == .lastStep ? [n, h] : [n, t, h]
    precondition(gradient.shape == expected, "recurrent backward: gradient \(gradient.shape), expected \(expected)")
    gradient.withUnsafeBufferPointer { g in
      switch output {
      case .lastStep:
        dHidden.update(repeating: 0, count: (t - 1) * n * h)
        (dHidden + (t - 1) * n * h).update(from: g.baseAddress!, count: n * h)
      case .allSteps:
        for step in 0..<t {
          for sample in 0..<n {
            (dHidden + (step * n + sample) * h).update(
              from: g.baseAddress! + (sample * t + step) * h, count: h)
          }
        }
      }
    }
  }

  /// Sends one step's pre-activation gradient back to the previous hidden state:
  /// `dPrevious += dStep·W_hh`, [rows, G·H] × [G·H, H] → [rows, H].
  @inline(__always)
  func propagateRecurrent(
    _ dStep: UnsafePointer<Float>, into dPrevious: UnsafeMutablePointer<Float>, rows: Int
  ) {
    weightHH.value.withUnsafeBufferPointer { w in
      GEMM.multiply(
        dStep, w.baseAddress!, into: dPrevious, m: rows, n: hiddenSize, k: gateWidth, beta: 1)
    }
  }

  /// Accumulates every parameter gradient from the pre-activation gradients of all steps and
  /// returns ∂loss/∂input `[N, T, F]`.
  ///
  /// - Parameters:
  ///   - dPre: ∂loss/∂(pre-activations), `[T, N, G·H]`.
  ///   - previousHidden: h_0 … h_{T−1}, `[T, N, H]` (the inputs of each step's W_hh product).
  func finishBackward(
    _ dPre: UnsafePointer<Float>, previousHidden: UnsafePointer<Float>
  ) -> Tensor {
    let (n, t, f, h, width) = (batch, steps, inputSize, hiddenSize, gateWidth)
    let rows = t * n
    let x = UnsafePointer(inputs.pointer)
    // ∂W_ih += dPreᵀ·x: [G·H, T·N] × [T·N, F] → [G·H, F].
    weightIH.gradient.withUnsafeMutableBufferPointer { dw in
      GEMM.multiply(dPre, transposeA: true, x, into: dw.baseAddress!, m: width, n: f, k: rows, beta: 1)
    }
    // ∂W_hh += dPreᵀ·h_prev: [G·H, T·N] × [T·N, H] → [G·H, H] (all steps in one product).
    weightHH.gradient.withUnsafeMutableBufferPointer { dw in
      GEMM.multiply(
        dPre, transposeA: true, previousHidden, into: dw.baseAddress!, m: width, n: h, k: rows,
        beta: 1)
    }
    // ∂b_ih and ∂b_hh both += Σ_rows dPre (the two biases enter the same sum).
    biasIH.gradient.withUnsafeMutableBufferPointer { dbi in
      biasHH.gradient.withUnsafeMutableBufferPointer { dbh in
        for row in 0..<rows {
          let d = dPre + row * width
          for j in 0..<width {
            dbi[j] += d[j]
            dbh[j] += d[j]
          }
        }
      }
    }
    // ∂x = dPre·W_ih: [T·N, G·H] × [G·H, F] → [T·N, F], then [T, N, F] → [N, T, F].
    let dx = inputGradientRows.reserve(rows * f)
    weightIH.value.withUnsafeBufferPointer { w in
      GEMM.multiply(dPre, w.baseAddress!, into: dx, m: rows, n: f, k: width)
    }
    var inputGradient = Tensor(zeros: [n, t, f])
    inputGradient.withUnsafeMutableBufferPointer { g in
      for step in 0..<t {
        for sample in 0..<n {
          (g.baseAddress! + (sample * t + step) * f).update(from: dx + (step * n + sample) * f, count: f)
        }
      }
    }
    return inputGradient
  }
}
