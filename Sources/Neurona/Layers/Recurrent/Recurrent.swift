// What RNN and LSTM share (the course's "conexiones recurrentes"): the four PyTorch-named
// parameters, their initialisation, and everything but the per-step element-wise work of the
// cell (RNN.swift, LSTM.swift): the matrix products, the layouts and the threading.
//
// N = batch size, T = time steps, F = input features, H = hidden size, G = gates per step
// (1 for RNN, 4 for LSTM), n = samples in one slice of the batch. Layers take batch-first
// input [N, T, F]; inside, each slice's data is time-major ([T, n, ·]) so the rows of one time
// step are contiguous and each step's recurrent product is one GEMM over the slice.

/// What a recurrent layer returns.
public enum RecurrentOutput: Sendable {
  /// Every hidden state, `[N, T, H]` (PyTorch's `output`, Keras's `return_sequences=True`).
  case allSteps
  /// Only the last hidden state, `[N, H]` (PyTorch's `h_n`; what a sequence classifier needs).
  case lastStep
}

/// The parameters of a recurrent layer and the passes that do not depend on the cell type.
///
/// The batch is cut into one slice of samples per core, and each slice runs the whole sequence
/// forward (or backward) on its own thread, with its own buffers and BLAS single-threaded: the
/// time loop is sequential and each step's products are small, so this costs one fork/join per
/// pass where handing every product to BLAS's threads would cost two per time step (and leave
/// BLAS's idle threads spinning against ours during the element-wise work).
///
/// Per slice, forward: x·W_ihᵀ + b_ih + b_hh for all steps in one GEMM ([T·n, F] × [F, G·H]),
/// then per step h_{t−1}·W_hhᵀ for all G gates at once (`addRecurrent`) and the cell's work.
/// Backward: the cell leaves ∂loss/∂(pre-activations) of every step in one buffer, sending each
/// step back to h_{t−1} (`propagateRecurrent`); then one GEMM each gives the slice's ∂W_ih,
/// ∂W_hh and ∂x, and the slices' weight gradients are summed into the parameters.
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

  /// One slice of the batch — samples `first ..< first + count` — and its buffers, all
  /// time-major. A cell uses the ones it needs (the RNN has no cell state).
  final class Slice {
    var first = 0
    var count = 0
    /// x, `[T, n, F]`.
    let inputs = Buffer()
    /// Pre-activations `[T, n, G·H]` (the LSTM activates its gates in place).
    let preactivations = Buffer()
    /// h_0 … h_T, `[T + 1, n, H]`, h_0 = 0.
    let hidden = Buffer()
    /// LSTM: c_0 … c_T `[T + 1, n, H]` and tanh(c_1) … tanh(c_T) `[T, n, H]`.
    let cells = Buffer()
    let cellTanh = Buffer()
    /// ∂loss/∂h_t `[T, n, H]`, ∂loss/∂c `[n, H]` (LSTM), ∂loss/∂pre-activations `[T, n, G·H]`,
    /// ∂loss/∂x `[T, n, F]`.
    let hiddenGradient = Buffer()
    let cellGradient = Buffer()
    let preactivationGradient = Buffer()
    let inputGradient = Buffer()
    /// This slice's share of ∂W_ih `[G·H, F]`, ∂W_hh `[G·H, H]` and ∂b `[G·H]`.
    let weightIHGradient = Buffer()
    let weightHHGradient = Buffer()
    let biasGradient = Buffer()
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
  /// The slices of the last forward pass (buffers kept for backward and reused after).
  private var slices: [Slice] = []
  private var sliceCount = 0

  /// Below this many samples per thread, one thread does the whole batch.
  static let minimumSliceRows = 16

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

  /// Runs the layer forward: checks `input` is `[N, T, F]`, and for each slice of the batch
  /// (concurrently) lays its samples out time-major, projects them, calls `cellForward` for
  /// the time loop (which must fill `hidden` h_1 … h_T) and writes the slice's output.
  func forward(
    _ input: Tensor, layer: String, cellForward: (_ slice: Slice, _ steps: Int) -> Void
  ) -> Tensor {
    precondition(
      input.rank == 3 && input.shape[2] == inputSize && input.shape[1] > 0,
      "\(layer)(\(inputSize)→\(hiddenSize)) needs [N, T, \(inputSize)] with T ≥ 1, "
        + "got \(input.shape)")
    (batch, steps) = (input.shape[0], input.shape[1])
    sliceCount = max(1, min(ComputeThreads.workers, batch / RecurrentCore.minimumSliceRows))
    while slices.count < sliceCount { slices.append(Slice()) }
    for (index, slice) in slices.prefix(sliceCount).enumerated() {
      slice.first = index * batch / sliceCount
      slice.count = (index + 1) * batch / sliceCount - slice.first
    }
    var result = Tensor(
      zeros: output == .lastStep ? [batch, hiddenSize] : [batch, steps, hiddenSize])
    guard batch > 0 else { return result }
    input.withUnsafeBufferPointer { x in
      result.withUnsafeMutableBufferPointer { y in
        let (source, destination) = (x.baseAddress!, y.baseAddress!)
        ComputeThreads.parallel(sliceCount) { index in
          let slice = slices[index]
          project(slice, source)
          slice.hidden.reserve((steps + 1) * slice.count * hiddenSize)
            .update(repeating: 0, count: slice.count * hiddenSize)
          cellForward(slice, steps)
          writeOutput(slice, destination)
        }
      }
    }
    return result
  }

  /// Copies the slice's samples time-major and fills `preactivations` with
  /// x·W_ihᵀ + b_ih + b_hh for every step.
  private func project(_ slice: Slice, _ source: UnsafePointer<Float>) {
    let (n, t, f, width) = (slice.count, steps, inputSize, gateWidth)
    let x = slice.inputs.reserve(t * n * f)
    // [n, T, F] → [T, n, F].
    for sample in 0..<n {
      for step in 0..<t {
        (x + (step * n + sample) * f).update(
          from: source + ((slice.first + sample) * t + step) * f, count: f)
      }
    }
    // Every row starts as b_ih + b_hh, then += x·W_ihᵀ: [T·n, F] × [F, G·H] → [T·n, G·H].
    let pre = slice.preactivations.reserve(t * n * width)
    biasIH.value.withUnsafeBufferPointer { bi in
      biasHH.value.withUnsafeBufferPointer { bh in
        for j in 0..<width { pre[j] = bi[j] + bh[j] }
      }
    }
    for row in 1..<(t * n) { (pre + row * width).update(from: pre, count: width) }
    weightIH.value.withUnsafeBufferPointer { w in
      GEMM.multiply(
        x, w.baseAddress!, transposeB: true, into: pre, m: t * n, n: width, k: f, beta: 1)
    }
  }

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

  /// Writes the slice's hidden states h_1 … h_T (or h_T alone) into the batch-first output.
  private func writeOutput(_ slice: Slice, _ destination: UnsafeMutablePointer<Float>) {
    let (n, t, h) = (slice.count, steps, hiddenSize)
    let hs = slice.hidden.pointer + n * h  // h_1 … h_T, [T, n, H]
    switch output {
    case .lastStep:
      (destination + slice.first * h).update(from: hs + (t - 1) * n * h, count: n * h)
    case .allSteps:
      // [T, n, H] → [n, T, H].
      for step in 0..<t {
        for sample in 0..<n {
          (destination + ((slice.first + sample) * t + step) * h).update(
            from: hs + (step * n + sample) * h, count: h)
        }
      }
    }
  }

  // MARK: Backward

  /// Runs the layer backward over the last forward pass: for each slice (concurrently) lays
  /// out ∂loss/∂h_t time-major in `hiddenGradient`, calls `cellBackward` to fill
  /// `preactivationGradient` for every step, and turns that into ∂x and the slice's weight
  /// gradients; then adds all slices' weight gradients into the parameters.
  func backward(
    _ outputGradient: Tensor, cellBackward: (_ slice: Slice, _ steps: Int) -> Void
  ) -> Tensor {
    let expected = output == .lastStep ? [batch, hiddenSize] : [batch, steps, hiddenSize]
    precondition(
      outputGradient.shape == expected,
      "recurrent backward: gradient \(outputGradient.shape), expected \(expected)")
    var inputGradient = Tensor(zeros: [batch, steps, inputSize])
    guard batch > 0 else { return inputGradient }
    outputGradient.withUnsafeBufferPointer { g in
      inputGradient.withUnsafeMutableBufferPointer { dx in
        let (source, destination) = (g.baseAddress!, dx.baseAddress!)
        ComputeThreads.parallel(sliceCount) { index in
          let slice = slices[index]
          loadOutputGradient(slice, source)
          cellBackward(slice, steps)
          sliceGradients(slice, destination)
        }
      }
    }
    accumulateParameterGradients()
    return inputGradient
  }

  /// Writes the slice's ∂loss/∂h_t, time-major `[T, n, H]`, from the layer's output gradient
  /// (zero before the last step when only the last state was returned).
  private func loadOutputGradient(_ slice: Slice, _ source: UnsafePointer<Float>) {
    let (n, t, h) = (slice.count, steps, hiddenSize)
    let dh = slice.hiddenGradient.reserve(t * n * h)
    switch output {
    case .lastStep:
      dh.update(repeating: 0, count: (t - 1) * n * h)
      (dh + (t - 1) * n * h).update(from: source + slice.first * h, count: n * h)
    case .allSteps:
      for step in 0..<t {
        for sample in 0..<n {
          (dh + (step * n + sample) * h).update(
            from: source + ((slice.first + sample) * t + step) * h, count: h)
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

  /// The slice's weight gradients (into its own buffers) and its ∂x (into the batch-first
  /// input gradient), from its pre-activation gradients of all steps.
  private func sliceGradients(_ slice: Slice, _ destination: UnsafeMutablePointer<Float>) {
    let (n, t, f, h, width) = (slice.count, steps, inputSize, hiddenSize, gateWidth)
    let rows = t * n
    let dPre = UnsafePointer(slice.preactivationGradient.pointer)
    // ∂W_ih = dPreᵀ·x: [G·H, T·n] × [T·n, F] → [G·H, F].
    GEMM.multiply(
      dPre, transposeA: true, slice.inputs.pointer,
      into: slice.weightIHGradient.reserve(width * f), m: width, n: f, k: rows)
    // ∂W_hh = dPreᵀ·h_prev, h_prev = h_0 … h_{T−1}: [G·H, T·n] × [T·n, H] → [G·H, H]
    // (all steps in one product).
    GEMM.multiply(
      dPre, transposeA: true, slice.hidden.pointer,
      into: slice.weightHHGradient.reserve(width * h), m: width, n: h, k: rows)
    // ∂b = Σ_rows dPre (b_ih and b_hh enter the same sum, so they share it).
    let db = slice.biasGradient.reserve(width)
    db.update(repeating: 0, count: width)
    for row in 0..<rows {
      let d = dPre + row * width
      for j in 0..<width { db[j] += d[j] }
    }
    // ∂x = dPre·W_ih: [T·n, G·H] × [G·H, F] → [T·n, F], then [T, n, F] → [n, T, F].
    let dx = slice.inputGradient.reserve(rows * f)
    weightIH.value.withUnsafeBufferPointer { w in
      GEMM.multiply(dPre, w.baseAddress!, into: dx, m: rows, n: f, k: width)
    }
    for step in 0..<t {
      for sample in 0..<n {
        (destination + ((slice.first + sample) * t + step) * f).update(
          from: dx + (step * n + sample) * f, count: f)
      }
    }
  }

  /// Adds every slice's weight and bias gradients into the parameters' gradients.
  private func accumulateParameterGradients() {
    func add(_ parameter: Parameter, _ part: (Slice) -> Buffer) {
      parameter.gradient.withUnsafeMutableBufferPointer { g in
        for slice in slices.prefix(sliceCount) {
          let p = part(slice).pointer
          for k in 0..<g.count { g[k] += p[k] }
        }
      }
    }
    add(weightIH) { $0.weightIHGradient }
    add(weightHH) { $0.weightHHGradient }
    add(biasIH) { $0.biasGradient }
    add(biasHH) { $0.biasGradient }
  }
}
