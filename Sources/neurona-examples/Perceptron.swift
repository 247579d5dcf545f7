// `neurona-examples perceptron`: a single threshold logic unit trained by the perceptron
// rule learns AND and OR (linearly separable) but not XOR (not separable by one line).
import Foundation
import Neurona

func runPerceptron(_ arguments: [String]) throws {
  let inputs: [[Float]] = [[0, 0], [0, 1], [1, 0], [1, 1]]
  let gates: [(String, [Float])] = [
    ("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("XOR", [0, 1, 1, 0]),
  ]
  for (name, targets) in gates {
    var unit = Perceptron(inputCount: 2)
    let converged = unit.train(inputs: inputs, targets: targets, maxEpochs: 100)
    let outputs = inputs.map { Int(unit.predict($0)) }
    let right = zip(outputs, targets).filter { Float($0) == $1 }.count
    let weights = unit.weights.map { String(format: "%.1f", $0) }.joined(separator: ", ")
    print(
      "\(name): \(converged ? "learned" : "not learned") — outputs \(outputs), \(right)/4 right, "
        + "weights [\(weights)], bias \(String(format: "%.1f", unit.bias))")
  }
  print("XOR is not linearly separable: a single TLU cannot represent it; an MLP can (try `xor`).")
}
