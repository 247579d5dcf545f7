// Channel-wise scaling by a second tensor: the gating of squeeze-and-excite blocks and of
// gated skip connections, y[n, c, h, w] = x[n, c, h, w] · g[n, c]. It has two inputs, so it is
// not a Layer: the block that owns both branches calls `forward` and, in its backward, sends
// `backward`'s two gradients down their own branches (as `Concat` does for skips):
//
//     // forward                                  // backward
//     let g = gate.forward(x, mode: mode)         let (dx, dg) = ChannelScale.backward(
//     let y = ChannelScale.forward(x, g)              dy, input: x, scale: g)
//                                                 var total = gate.backward(dg); total.add(dx)
//
// Element-wise addition, the other two-input operation of such blocks, needs no helper: `+`
// forward, and the gradient passes unchanged to both summands.
// N = batch, C = channels, S = the trailing size (H·W for images).

/// Multiplying every channel of `[N, C, …]` by its own factor from `[N, C]`.
public enum ChannelScale {
  /// `[N, C, …]` · `[N, C]` → `[N, C, …]`: y[n, c, s] = x[n, c, s] · g[n, c].
  public static func forward(_ x: Tensor, _ g: Tensor) -> Tensor {
    precondition(
      x.rank >= 2 && g.shape == Array(x.shape.prefix(2)),
      "ChannelScale: factors \(g.shape) do not match the channels of \(x.shape)")
    let area = x.count / Swift.max(g.count, 1)
    return Tensor(uninitializedShape: x.shape) { y in
      x.withUnsafeBufferPointer { x in
        g.withUnsafeBufferPointer { g in
          guard let x = x.baseAddress, let y = y.baseAddress else { return }
          ParallelPasses.forEachRange(g.count, elementsPerItem: 2 * area) { planes in
            for plane in planes {
              let (source, target, factor) = (x + plane * area, y + plane * area, g[plane])
              for q in 0..<area { target[q] = source[q] * factor }
            }
          }
        }
      }
    }
  }

  /// `[N, C, …]` · `[N, C]` + `[N, C, …]` → `[N, C, …]`: y = x · g + u in one pass (the
  /// decoder's gated skip plus the upsampled features, at inference).
  public static func forward(_ x: Tensor, _ g: Tensor, plus u: Tensor) -> Tensor {
    precondition(
      x.rank >= 2 && g.shape == Array(x.shape.prefix(2)) && u.shape == x.shape,
      "ChannelScale: factors \(g.shape) or addend \(u.shape) do not match \(x.shape)")
    let area = x.count / Swift.max(g.count, 1)
    return Tensor(uninitializedShape: x.shape) { y in
      x.withUnsafeBufferPointer { x in
        g.withUnsafeBufferPointer { g in
          u.withUnsafeBufferPointer { u in
            guard let x = x.baseAddress, let u = u.baseAddress, let y = y.baseAddress else {
              return
            }
            ParallelPasses.forEachRange(g.count, elementsPerItem: 3 * area) { planes in
              for plane in planes {
                let (at, factor) = (plane * area, g[plane])
                for q in at..<(at + area) { y[q] = x[q] * factor + u[q] }
              }
            }
          }
        }
      }
    }
  }

  /// The gradients of `forward(x, g)` given ∂y: ∂x = ∂y · g (broadcast) and
  /// ∂g[n, c] = Σ_s ∂y[n, c, s] · x[n, c, s].
  public static func backward(_ dy: Tensor, input x: Tensor, scale g: Tensor) -> (Tensor, Tensor) {
    precondition(dy.shape == x.shape, "ChannelScale backward: gradient shape \(dy.shape)")
    let area = x.count / Swift.max(g.count, 1)
    var scaleGradient = Tensor(zeros: g.shape)
    let inputGradient = forward(dy, g)
    dy.withUnsafeBufferPointer { dy in
      x.withUnsafeBufferPointer { x in
        scaleGradient.withUnsafeMutableBufferPointer { dg in
          for plane in 0..<dg.count {
            let (gradient, source) = (dy.baseAddress! + plane * area, x.baseAddress! + plane * area)
            var total: Float = 0
            for q in 0..<area { total += gradient[q] * source[q] }
            dg[plane] = total
          }
        }
      }
    }
    return (inputGradient, scaleGradient)
  }
}
