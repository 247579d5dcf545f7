// HardSwish: MobileNetV3's cheap stand-in for swish, x·relu6(x + 3)/6 (Howard et al. 2019,
// arXiv:1905.02244). A layer of its own rather than an ElementwiseActivation subclass: the
// person segmenter applies it to megabyte-sized tensors, where a per-element virtual call costs
// more than the arithmetic. Shapes are unchanged: [any] → [same].

/// hardswish(x) = x · min(max(x + 3, 0), 6) / 6: 0 below −3, x above 3, a parabola between.
///
/// The derivative is 0 below −3, 1 above 3 and (2x + 3)/6 between (at the kinks ±3 the
/// right-hand value is taken, as PyTorch does).
public final class HardSwish: Layer {
  private var input = Tensor(zeros: [0])

  public init() {}

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    if mode == .training { self.input = input }
    return Tensor(uninitializedShape: input.shape) { y in
      input.withUnsafeBufferPointer { x in
        for i in 0..<x.count {
          let v = x[i]
          y[i] = v * Swift.min(Swift.max(v + 3, 0), 6) / 6
        }
      }
    }
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    precondition(outputGradient.shape == input.shape, "HardSwish backward: gradient shape")
    var inputGradient = outputGradient
    inputGradient.withUnsafeMutableBufferPointer { g in
      input.withUnsafeBufferPointer { x in
        for i in 0..<g.count {
          let v = x[i]
          g[i] *= v < -3 ? 0 : (v >= 3 ? 1 : (2 * v + 3) * (1 / 6 as Float))
        }
      }
    }
    return inputGradient
  }
}
