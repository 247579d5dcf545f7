// Inference fusion: in a Sequential at inference time, a Conv2D followed by a BatchNorm2D
// and/or a ReLU runs as one convolution whose epilogue does all three (as onnxruntime folds
// them), and a 2×2 max-pool after them pools the output as it is computed where the
// convolution can (ConvolutionPooled.swift). Training never fuses: each layer keeps what its backward needs. The result agrees
// with the layer-by-layer path to rounding (tested).

extension Sequential {
  /// Runs the layers for inference, fusing Conv2D → [BatchNorm2D] → [ReLU] → [MaxPool2D]
  /// runs.
  func fusedInferenceForward(_ input: Tensor) -> Tensor {
    var x = input
    var i = 0
    while i < layers.count {
      guard let convolution = layers[i] as? Conv2D else {
        x = layers[i].forward(x, mode: .inference)
        i += 1
        continue
      }
      var epilogue = convolution.biasEpilogue
      i += 1
      if i < layers.count, let norm = layers[i] as? BatchNorm2D {
        let (scale, shift) = norm.inferenceAffine()
        epilogue = epilogue.followed(byScale: scale, shift: shift)
        i += 1
      }
      if i < layers.count, layers[i] is ReLU {
        epilogue.rectifies = true
        i += 1
      }
      if i < layers.count, let pool = layers[i] as? MaxPool2D, pool.kernelSize == 2,
        pool.stride == 2, convolution.poolingApplies(toInput: x.shape)
      {
        x = convolution.forwardPooled(x, epilogue: epilogue)
        i += 1
        continue
      }
      x = convolution.forward(x, epilogue: epilogue)
    }
    return x
  }
}
