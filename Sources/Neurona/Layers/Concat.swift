// Channel concatenation for skip connections (the U-Net's decoder joins its upsampled tensor
// with the encoder's). The Layer protocol has one input, so this is not a layer: a block
// that owns both branches calls `concatenateChannels` in its forward and `splitChannels` on
// the gradient in its backward, sending each part back down its own branch:
//
//     // forward                                  // backward
//     let up = upsample.forward(x, mode: mode)    let (dSkip, dUp) = Concat.splitChannels(
//     let joined = Concat.concatenateChannels(        dJoined, at: skipChannels)
//         skip, up)                               let dx = upsample.backward(dUp)
//                                                 // add dSkip to the encoder's gradient
//
// N = batch, A and B = the two channel counts, S = the trailing size (H·W for images).

/// Joining tensors along the channel axis (dimension 1) and splitting gradients back.
public enum Concat {
  /// `[N, A, …]` and `[N, B, …]` → `[N, A + B, …]`: `a`'s channels first, then `b`'s.
  ///
  /// Every dimension but the channel axis must agree.
  public static func concatenateChannels(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(
      a.rank >= 2 && a.rank == b.rank && a.shape[0] == b.shape[0]
        && a.shape.dropFirst(2) == b.shape.dropFirst(2),
      "concatenateChannels: shapes \(a.shape) and \(b.shape) differ outside the channel axis")
    let n = a.shape[0]
    let (partA, partB) = (a.count / Swift.max(n, 1), b.count / Swift.max(n, 1))
    var shape = a.shape
    shape[1] += b.shape[1]
    var output = Tensor(zeros: shape)
    output.withUnsafeMutableBufferPointer { y in
      a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { z in
          for image in 0..<n {
            let row = y.baseAddress! + image * (partA + partB)
            row.update(from: x.baseAddress! + image * partA, count: partA)
            (row + partA).update(from: z.baseAddress! + image * partB, count: partB)
          }
        }
      }
    }
    return output
  }

  /// `[N, A + B, …]` → (`[N, A, …]`, `[N, B, …]`): the first `channels` channels, then the
  /// rest. The inverse of `concatenateChannels`, and so the backward pass of it.
  public static func splitChannels(_ tensor: Tensor, at channels: Int) -> (Tensor, Tensor) {
    precondition(
      tensor.rank >= 2 && channels >= 0 && channels <= tensor.shape[1],
      "splitChannels: cannot split \(tensor.shape) at channel \(channels)")
    let n = tensor.shape[0]
    let trailing = tensor.shape.dropFirst(2).reduce(1, *)
    let (partA, partB) = (channels * trailing, (tensor.shape[1] - channels) * trailing)
    var shapeA = tensor.shape
    var shapeB = tensor.shape
    (shapeA[1], shapeB[1]) = (channels, tensor.shape[1] - channels)
    var a = Tensor(zeros: shapeA)
    var b = Tensor(zeros: shapeB)
    tensor.withUnsafeBufferPointer { y in
      a.withUnsafeMutableBufferPointer { x in
        b.withUnsafeMutableBufferPointer { z in
          for image in 0..<n {
            let row = y.baseAddress! + image * (partA + partB)
            (x.baseAddress! + image * partA).update(from: row, count: partA)
            (z.baseAddress! + image * partB).update(from: row + partA, count: partB)
          }
        }
      }
    }
    return (a, b)
  }
}
