// Conv2D followed by a 2×2 max-pool of stride 2, in one pass at inference (InferenceFusion
// .swift): the convolution's output is pooled as it is computed and never stored. A 3×3
// "same" convolution of small images with enough channels (Fashion-MNIST's second layer) goes
// to the F(2×2, 3×3) path, whose output tiles are the pooling windows
// (ConvolutionWinograd2x2.swift); other stride-1 convolutions to the direct path, which pools
// each band (ConvolutionDirect.swift).

extension Conv2D {
  /// Whether `forwardPooled` can take an input of this shape (not one F(4×4) takes: its 4×
  /// fewer multiply-adds beat pooling on the way out).
  public func poolingApplies(toInput shape: [Int]) -> Bool {
    shape.first != 0 && !winogradApplies(toInput: shape)
      && (winograd2x2Applies(toInput: shape, pooled: true)
        || directApplies(to: geometry(forInput: shape)))
  }

  /// The convolution through `epilogue`, then a 2×2 max-pool of stride 2: `[N, O, H'/2,
  /// W'/2]` (floor), as MaxPool2D after `forward(_:epilogue:)` gives it. Only where
  /// `poolingApplies(toInput:)`.
  public func forwardPooled(_ input: Tensor, epilogue: ConvolutionEpilogue) -> Tensor {
    precondition(poolingApplies(toInput: input.shape), "Conv2D.forwardPooled: no pooled path")
    let g = geometry(forInput: input.shape)
    if epilogue.winogradCanApply && winograd2x2Applies(toInput: input.shape, pooled: true) {
      return winograd2x2Forward(input, g, epilogue: epilogue, pooled: true)
    }
    precondition(directApplies(to: g), "Conv2D.forwardPooled: no pooled path for this epilogue")
    return directForward(input, g, epilogue: epilogue, pooled: true)
  }
}
