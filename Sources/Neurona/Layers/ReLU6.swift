// ReLU6: min(max(x, 0), 6), MobileNet's and EfficientNet-Lite's activation (the cap keeps
// activations in a range that 8-bit inference can hold). A layer of its own, like HardSwish:
// EfficientNet applies it to megabyte-sized tensors, where ElementwiseActivation's call per
// element costs more than the arithmetic. Shapes are unchanged: [any] → [same].

/// relu6(x) = min(max(x, 0), 6); its derivative is 1 on (0, 6) and 0 elsewhere (at the kinks
/// 0 and 6 PyTorch's value, 0, is taken).
public final class ReLU6: Layer {
  private var input = Tensor(zeros: [0])

  public init() {}

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    if mode == .training { self.input = input }
    let count = input.count
    guard count > 0 else { return input }
    return Tensor(uninitializedShape: input.shape) { y in
      input.withUnsafeBufferPointer { x in
        let (target, source) = (y.baseAddress!, x.baseAddress!)
        ParallelPasses.forEachRange(count, elementsPerItem: 1, alignment: 64) { range in
          for i in range { target[i] = Swift.min(Swift.max(source[i], 0), 6) }
        }
      }
    }
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    precondition(outputGradient.shape == input.shape, "ReLU6 backward: gradient shape")
    var inputGradient = outputGradient
    inputGradient.withUnsafeMutableBufferPointer { g in
      input.withUnsafeBufferPointer { x in
        for i in 0..<g.count where !(x[i] > 0 && x[i] < 6) { g[i] = 0 }
      }
    }
    return inputGradient
  }
}
