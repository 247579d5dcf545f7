// RNN and LSTM: shapes and names, finite-difference gradients through time, and golden
// outputs of PyTorch's equations computed with NumPy.
// N = batch size, T = time steps, F = input features, H = hidden size.
import Neurona
import NeuronaTestSupport
import Testing

/// Float32 against NumPy's float64 reference of the same equations: a few ulps of order-1 values.
private let goldenTolerance: Float = 2e-6

@Test(arguments: [RecurrentOutput.allSteps, .lastStep])
func recurrentShapesAndNames(output: RecurrentOutput) {
  var generator = SplitMix64(seed: 1)
  let lstm = LSTM(inputSize: 5, hiddenSize: 7, output: output, using: &generator)
  let rnn = RNN(inputSize: 5, hiddenSize: 7, output: output, using: &generator)
  let expected = output == .allSteps ? [3, 4, 7] : [3, 7]
  #expect(lstm(randomTensor([3, 4, 5])).shape == expected)
  #expect(rnn(randomTensor([3, 4, 5])).shape == expected)
  #expect(lstm.namedParameters.map(\.name) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
  #expect(lstm.namedParameters.map(\.parameter.value.shape) == [[28, 5], [28, 7], [28], [28]])
  #expect(rnn.namedParameters.map(\.parameter.value.shape) == [[7, 5], [7, 7], [7], [7]])
  #expect(lstm.namedParameters.map(\.parameter.role) == [.weight, .weight, .bias, .bias])
  // PyTorch's init: every parameter within ±1/√H, and not all zero.
  let bound = 1 / Float(7).squareRoot()
  for parameter in lstm.parameters + rnn.parameters {
    #expect(parameter.value.scalars.allSatisfy { abs($0) <= bound })
    #expect(parameter.value.scalars.contains { $0 != 0 })
  }
}

@Test(arguments: [RecurrentOutput.allSteps, .lastStep])
func rnnGradientsThroughTime(output: RecurrentOutput) {
  var generator = SplitMix64(seed: 3)
  // Weights larger than the init (±1/√3 ≈ 0.58 → ±1.2) so later steps depend on earlier ones.
  let rnn = RNN(inputSize: 3, hiddenSize: 4, output: output, using: &generator)
  for parameter in rnn.parameters { parameter.value = parameter.value * 2 }
  let mismatches = checkGradients(of: rnn, input: randomTensor([2, 5, 3], seed: 11))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
}

@Test(arguments: [RecurrentOutput.allSteps, .lastStep])
func lstmGradientsThroughTime(output: RecurrentOutput) {
  var generator = SplitMix64(seed: 4)
  // H = 9: units 0–7 take the eight-lane path of the cell, unit 8 the scalar one.
  let lstm = LSTM(inputSize: 3, hiddenSize: 9, output: output, using: &generator)
  for parameter in lstm.parameters { parameter.value = parameter.value * 2 }
  let mismatches = checkGradients(
    of: lstm, input: randomTensor([2, 5, 3], low: -2, high: 2, seed: 12),
    tolerance: GradientTolerance(samplesPerTensor: 100))
  #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
}

@Test func lstmIgnoresNothingBeforeTheLastStep() {
  // With `.lastStep` the first input still reaches the output (through the cell state).
  var generator = SplitMix64(seed: 5)
  let lstm = LSTM(inputSize: 2, hiddenSize: 3, output: .lastStep, using: &generator)
  _ = lstm.forward(randomTensor([1, 6, 2]), mode: .training)
  let inputGradient = lstm.backward(Tensor(repeating: 1, shape: [1, 3]))
  #expect(inputGradient.shape == [1, 6, 2])
  #expect(inputGradient[0, 0, 0] != 0 && inputGradient[0, 0, 1] != 0)
}

@Test func lstmMatchesNumPyReference() {
  let (n, t, f, h) = (2, 3, 3, 2)
  func arange(_ count: Int, _ transform: (Float) -> Float) -> [Float] {
    (0..<count).map { transform(Float($0)) }
  }
  let lstm = LSTM(
    weightIH: Tensor(shape: [4 * h, f], scalars: arange(4 * h * f) { ($0 - 11.5) / 20 }),
    weightHH: Tensor(shape: [4 * h, h], scalars: arange(4 * h * h) { ($0 - 7.5) / 10 }),
    biasIH: Tensor(shape: [4 * h], scalars: arange(4 * h) { $0 / 10 - 0.35 }),
    biasHH: Tensor(shape: [4 * h], scalars: arange(4 * h) { 0.2 - $0 / 20 }))
  let input = Tensor(shape: [n, t, f], scalars: arange(n * t * f) { ($0 - 9) / 6 })
  // PyTorch's nn.LSTM equations (gate order i, f, g, o), written out in NumPy:
  //   import numpy as np
  //   N, T, F, H = 2, 3, 3, 2
  //   w_ih = ((np.arange(4*H*F) - 11.5) / 20).reshape(4*H, F).astype(np.float32)
  //   w_hh = ((np.arange(4*H*H) - 7.5) / 10).reshape(4*H, H).astype(np.float32)
  //   b_ih = (np.arange(4*H) / 10 - 0.35).astype(np.float32)
  //   b_hh = (0.2 - np.arange(4*H) / 20).astype(np.float32)
  //   x = ((np.arange(N*T*F) - 9) / 6).reshape(N, T, F).astype(np.float32)
  //   sig = lambda z: 1 / (1 + np.exp(-z))
  //   h = np.zeros((N, H)); c = np.zeros((N, H)); out = []
  //   for t in range(T):
  //       z = x[:, t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh
  //       i, f, g, o = sig(z[:, :H]), sig(z[:, H:2*H]), np.tanh(z[:, 2*H:3*H]), sig(z[:, 3*H:])
  //       c = f * c + i * g; h = o * np.tanh(c); out.append(h)
  //   print(np.stack(out, 1).reshape(-1))
  let expected = Tensor(
    shape: [n, t, h],
    scalars: [
      -0.0413860, -0.0637546, -0.0689954, -0.1285509, -0.0625405, -0.1550098,
      0.0245232, 0.0599972, 0.0474757, 0.1576544, 0.0466256, 0.1996543,
    ])
  let output = lstm(input)
  #expect(isClose(output, expected, tolerance: goldenTolerance), "\(output)")
  // The last-step mode returns the same final states.
  let last = LSTM(
    weightIH: lstm.weightIH.value, weightHH: lstm.weightHH.value, biasIH: lstm.biasIH.value,
    biasHH: lstm.biasHH.value, output: .lastStep)
  #expect(
    isClose(
      last(input), Tensor(shape: [n, h], scalars: [-0.0625405, -0.1550098, 0.0466256, 0.1996543]),
      tolerance: goldenTolerance))
}

@Test func rnnMatchesNumPyReference() {
  let (n, t, f, h) = (2, 3, 3, 2)
  let rnn = RNN(
    weightIH: Tensor(shape: [h, f], scalars: (0..<(h * f)).map { (Float($0) - 2.5) / 4 }),
    weightHH: Tensor(shape: [h, h], scalars: (0..<(h * h)).map { (Float($0) - 1.5) / 2 }),
    biasIH: Tensor(shape: [h], scalars: [0.1, -0.2]),
    biasHH: Tensor(shape: [h], scalars: [0.05, 0.3]))
  let input = Tensor(shape: [n, t, f], scalars: (0..<(n * t * f)).map { (Float($0) - 9) / 6 })
  // PyTorch's nn.RNN (tanh) equations in NumPy:
  //   import numpy as np
  //   N, T, F, H = 2, 3, 3, 2
  //   w_ih = ((np.arange(H*F) - 2.5) / 4).reshape(H, F).astype(np.float32)
  //   w_hh = ((np.arange(H*H) - 1.5) / 2).reshape(H, H).astype(np.float32)
  //   b_ih = np.array([0.1, -0.2], np.float32); b_hh = np.array([0.05, 0.3], np.float32)
  //   x = ((np.arange(N*T*F) - 9) / 6).reshape(N, T, F).astype(np.float32)
  //   h = np.zeros((N, H)); out = []
  //   for t in range(T):
  //       h = np.tanh(x[:, t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh); out.append(h)
  //   print(np.stack(out, 1).reshape(-1))
  let expected = Tensor(
    shape: [n, t, h],
    scalars: [
      0.9394486, -0.8659526, 0.5932946, -0.8238771, 0.3534070, -0.5791952,
      0.0458013, 0.3547204, -0.5646937, 0.8369265, -0.6987624, 0.9627595,
    ])
  let output = rnn(input)
  #expect(isClose(output, expected, tolerance: goldenTolerance), "\(output)")
}

@Test func lstmBatchEqualsSamplesAlone() {
  // Large batches are split across threads: each sample's output and input gradient, and the
  // summed weight gradients, must be what the sample gets alone.
  var generator = SplitMix64(seed: 6)
  let lstm = LSTM(inputSize: 4, hiddenSize: 10, output: .lastStep, using: &generator)
  let (n, t) = (40, 6)
  let input = randomTensor([n, t, 4], seed: 13)
  let outputGradient = randomTensor([n, 10], seed: 14)
  lstm.zeroGradients()
  let output = lstm.forward(input, mode: .training)
  let inputGradient = lstm.backward(outputGradient)
  let batchWeightGradient = lstm.weightHH.gradient
  lstm.zeroGradients()
  for sample in 0..<n {
    let alone = lstm.forward(input.slice(sample..<(sample + 1)), mode: .training)
    #expect(isClose(alone, output.slice(sample..<(sample + 1)), tolerance: 1e-6))
    let gradient = lstm.backward(outputGradient.slice(sample..<(sample + 1)))
    #expect(isClose(gradient, inputGradient.slice(sample..<(sample + 1)), tolerance: 1e-6))
  }
  #expect(isClose(lstm.weightHH.gradient, batchWeightGradient, tolerance: 1e-5))
}
