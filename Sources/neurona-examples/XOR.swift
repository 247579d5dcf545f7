// `neurona-examples xor`: a multi-layer perceptron (2 inputs, 4 tanh hidden units, 1 output)
// learns XOR, the function a single TLU cannot represent, by backpropagation and Adam.
import Neurona

func runXOR(_ arguments: [String]) throws {
  let seed: UInt64 = try option("seed", in: arguments, default: 3)
  var generator = SplitMix64(seed: seed)
  let model = Sequential([
    Dense(2, 4, initializer: .glorotUniform, using: &generator), Tanh(),
    Dense(4, 1, initializer: .glorotUniform, using: &generator),
  ])
  let data = TensorDataset(
    inputs: Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1]),
    targets: Tensor(shape: [4, 1], scalars: [0, 1, 1, 0]))
  let trainer = Trainer(
    model: model, loss: BinaryCrossEntropy(), optimizer: Adam(learningRate: 0.05))
  try trainer.fit(data, trainIndices: [0, 1, 2, 3], epochs: 300, batchSize: 4, using: &generator) {
    if $0.epoch % 50 == 0 {
      print("epoch \($0.epoch): loss \(String(format: "%.4f", $0.trainLoss))")
    }
    return true
  }
  let probabilities = model(data.inputs).scalars.map(sigmoid)
  for (row, p) in probabilities.enumerated() {
    print("\(row >> 1) XOR \(row & 1) → \(String(format: "%.3f", p)) → \(p > 0.5 ? 1 : 0)")
  }
  let solved = zip(probabilities, [0, 1, 1, 0] as [Float]).allSatisfy { ($0 > 0.5 ? 1 : 0) == $1 }
  print(solved ? "XOR solved by a 2-4-1 MLP." : "XOR not solved with this seed.")
}
