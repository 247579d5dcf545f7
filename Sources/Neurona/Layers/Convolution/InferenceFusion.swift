// Inference fusion: in a Sequential at inference time, a Conv2D followed by a BatchNorm2D
// and/or an activation (ReLU, ReLU6, HardSwish) runs as one convolution whose epilogue does all of
// them (as onnxruntime folds them), a 2×2 max-pool after them is pooled as the output is
// computed where the convolution can (ConvolutionPooled.swift), and a DepthwiseConv2D absorbs
// the BatchNorm (into its filters) and the activation after it. Training never fuses: each layer keeps what its backward needs.
// The result agrees with the layer-by-layer path to rounding (tested).

extension Sequential {
  /// Runs the layers for inference, fusing Conv2D → [BatchNorm2D] → [ReLU | ReLU6 | HardSwish]
  /// → [MaxPool2D] and DepthwiseConv2D → [BatchNorm2D] → [ReLU | ReLU6 | HardSwish] runs.
  func fusedInferenceForward(_ input: Tensor) -> Tensor {
    var x = input
    var i = 0
    while i < layers.count {
      if var depthwise = layers[i] as? DepthwiseConv2D {
        var epilogue = ConvolutionEpilogue()
        i += 1
        if i < layers.count, let norm = layers[i] as? BatchNorm2D {
          depthwise = depthwise.folded(with: norm)
          i += 1
        }
        if i < layers.count { i += absorbActivation(at: i, into: &epilogue) ? 1 : 0 }
        x = depthwise.forward(x, epilogue: epilogue)
        continue
      }
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
      // The Winograd paths' epilogues know ReLU only (forward would leave them for the others).
      let otherActivations =
        !convolution.winogradApplies(toInput: x.shape)
        && !convolution.winograd2x2Applies(toInput: x.shape, pooled: true)
      if i < layers.count,
        layers[i] is ReLU || (otherActivations && (layers[i] is HardSwish || layers[i] is ReLU6))
      {
        i += absorbActivation(at: i, into: &epilogue) ? 1 : 0
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

  /// Sets `epilogue`'s activation from layer `index` when it is a ReLU, ReLU6 or HardSwish;
  /// returns whether it was.
  private func absorbActivation(at index: Int, into epilogue: inout ConvolutionEpilogue) -> Bool {
    switch layers[index] {
    case is ReLU: epilogue.activation = .relu
    case is ReLU6: epilogue.activation = .relu6
    case is HardSwish: epilogue.activation = .hardSwish
    default: return false
    }
    return true
  }
}

/// A DepthwiseConv2D with a BatchNorm folded into it, and the values it was folded from.
struct FoldedDepthwise {
  let norm: BatchNorm2D
  let versions: [Int]
  let layer: DepthwiseConv2D
}

extension DepthwiseConv2D {
  /// `folding` the BatchNorm `norm`, kept between calls: folding anew on every call was 1.1 %
  /// of EfficientNet-Lite0 at batch 1, and the new layer's taps were laid out again for
  /// DepthwiseChannels (0.7 %).
  fileprivate func folded(with norm: BatchNorm2D) -> DepthwiseConv2D {
    let versions = [weight, bias, norm.weight, norm.bias, norm.runningMean, norm.runningVariance]
      .map(\.version)
    if let kept = foldedForInference, kept.norm === norm, kept.versions == versions {
      return kept.layer
    }
    let layer = folding(norm.inferenceAffine())
    foldedForInference = FoldedDepthwise(norm: norm, versions: versions, layer: layer)
    return layer
  }

  /// The same convolution followed by the affine map y·s + t per channel, as one: each
  /// channel's filter scaled by s, its bias b·s + t (a BatchNorm folded at inference; C·k²
  /// multiplications, nothing beside the convolution itself).
  fileprivate func folding(_ affine: (scale: [Float], shift: [Float])) -> DepthwiseConv2D {
    let area = weight.value.count / channels
    var folded = weight.value
    folded.withUnsafeMutableBufferPointer { w in
      for c in 0..<channels { for t in 0..<area { w[c * area + t] *= affine.scale[c] } }
    }
    let b = bias.value.scalars
    let shift = Tensor(
      shape: [channels], scalars: (0..<channels).map { b[$0] * affine.scale[$0] + affine.shift[$0] }
    )
    return DepthwiseConv2D(weight: folded, bias: shift, stride: stride, padding: padding)
  }
}
