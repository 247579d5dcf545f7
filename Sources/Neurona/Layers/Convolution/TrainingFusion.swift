// Training fusion: in a Sequential at training time, a Conv2D (or a BatchNorm2D) followed by
// a ReLU runs as one pass whose last step rectifies, and the ReLU keeps that output for its
// backward as if it had computed it: one pass over the activations fewer per step (a ReLU
// forward was 5 % of a FashionNet training step). Backward, a BatchNorm2D → ReLU pair reads
// the ReLU's mask as it reads ∂y. The result is the same to the bit: the epilogue adds the bias
// and takes max(0, ·) as the two layers did. Each layer still has what its backward needs
// (the convolution its input, the ReLU its output). In backward, a ReLU → MaxPool2D pair
// runs as the pool's scatter keeping only the winners the ReLU passed: the ReLU's own pass
// over its whole input is skipped, again with the same result.

extension Sequential {
  /// Runs the layers for training, a Conv2D → ReLU or BatchNorm2D → ReLU pair as one pass.
  func fusedTrainingForward(_ input: Tensor) -> Tensor {
    var x = input
    var i = 0
    while i < layers.count {
      if let convolution = layers[i] as? Conv2D, i + 1 < layers.count,
        let relu = layers[i + 1] as? ReLU
      {
        var epilogue = convolution.biasEpilogue
        epilogue.rectifies = true
        x = convolution.trainingForward(x, epilogue: epilogue)
        relu.keep(output: x)
        i += 2
        continue
      }
      if let norm = layers[i] as? BatchNorm2D, i + 1 < layers.count,
        let relu = layers[i + 1] as? ReLU
      {
        x = norm.forward(x, mode: .training, rectifies: true)
        relu.keep(output: x)
        i += 2
        continue
      }
      x = layers[i].forward(x, mode: .training)
      i += 1
    }
    return x
  }
}

extension Sequential {
  /// Backward through the layers in reverse, a ReLU → MaxPool2D or BatchNorm2D → ReLU pair
  /// in one pass.
  func fusedBackward(_ outputGradient: Tensor) -> Tensor {
    var gradient = outputGradient
    var i = layers.count - 1
    while i >= 0 {
      if let pool = layers[i] as? MaxPool2D, i > 0, let relu = layers[i - 1] as? ReLU {
        gradient = pool.backward(gradient, rectifiedBy: relu.trainingOutput)
        i -= 2
        continue
      }
      if let relu = layers[i] as? ReLU, i > 0, let norm = layers[i - 1] as? BatchNorm2D {
        gradient = norm.backward(gradient, rectifiedBy: relu.trainingOutput)
        i -= 2
        continue
      }
      gradient = layers[i].backward(gradient)
      i -= 1
    }
    return gradient
  }
}
