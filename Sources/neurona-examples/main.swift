// neurona-examples: the course's concepts, one subcommand each, runnable from a shell.
import Foundation
import Neurona

Allocator.keepLargeBlocks()

let examples: [(name: String, summary: String, run: ([String]) throws -> Void)] = [
  (
    "perceptron", "a TLU learns AND and OR with the perceptron rule, and fails on XOR",
    runPerceptron
  ),
  ("xor", "a 2-4-1 MLP learns XOR by backpropagation", runXOR),
  ("mlp", "an MLP 784-256-128-10 (ReLU, dropout, Adam, L2) learns Fashion-MNIST", runMLP),
]

func usage() -> String {
  "usage: neurona-examples <example> [options]\n\nexamples:\n"
    + examples.map {
      "  \($0.name.padding(toLength: 12, withPad: " ", startingAt: 0))\($0.summary)"
    }
    .joined(separator: "\n")
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let example = examples.first(where: { $0.name == name }) else {
  printError(usage())
  exit(arguments.first.map { ["-h", "--help", "help"].contains($0) } == true ? 0 : 2)
}
do {
  try example.run(Array(arguments.dropFirst()))
} catch {
  printError("neurona-examples: \(error)")
  exit(1)
}
