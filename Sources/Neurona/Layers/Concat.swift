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
    guard n > 0, partA + partB > 0 else { return Tensor(zeros: shape) }
    return Tensor(uninitializedShape: shape) { y in
      a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { z in
          guard n == 1 else {
            // Images shared between the workers when the copy is big.
            ParallelPasses.forEachRange(n, elementsPerItem: partA + partB) { images in
              for image in images {
                let row = y.baseAddress! + image * (partA + partB)
                Concat.copy(x.baseAddress.map { $0 + image * partA }, into: row, partA)
                Concat.copy(z.baseAddress.map { $0 + image * partB }, into: row + partA, partB)
              }
            }
            return
          }
          // A lone image (a U-Net at batch 1): its floats shared, in ranges of whole blocks.
          ParallelPasses.forEachRange(partA + partB, elementsPerItem: 1, alignment: 1024) {
            range in
            let fromA = range.clamped(to: 0..<partA)
            let fromB = range.clamped(to: partA..<(partA + partB))
            Concat.copy(
              x.baseAddress.map { $0 + fromA.lowerBound }, into: y.baseAddress! + fromA.lowerBound,
              fromA.count)
            Concat.copy(
              z.baseAddress.map { $0 + (fromB.lowerBound - partA) },
              into: y.baseAddress! + fromB.lowerBound, fromB.count)
          }
        }
      }
    }
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
    guard n > 0, partA + partB > 0 else { return (Tensor(zeros: shapeA), Tensor(zeros: shapeB)) }
    let a = Tensor(uninitializedShape: shapeA) { x in
      tensor.withUnsafeBufferPointer { y in
        ParallelPasses.forEachRange(n, elementsPerItem: partA) { images in
          for image in images {
            let row = y.baseAddress! + image * (partA + partB)
            Concat.copy(row, into: x.baseAddress.map { $0 + image * partA }, partA)
          }
        }
      }
    }
    let b = Tensor(uninitializedShape: shapeB) { z in
      tensor.withUnsafeBufferPointer { y in
        ParallelPasses.forEachRange(n, elementsPerItem: partB) { images in
          for image in images {
            let row = y.baseAddress! + image * (partA + partB)
            Concat.copy(row + partA, into: z.baseAddress.map { $0 + image * partB }, partB)
          }
        }
      }
    }
    return (a, b)
  }

  /// Copies `count` floats; either pointer may be nil only when `count` is 0 (an empty part).
  private static func copy(
    _ source: UnsafePointer<Float>?, into target: UnsafeMutablePointer<Float>?, _ count: Int
  ) {
    guard count > 0, let source, let target else { return }
    target.initialize(from: source, count: count)
  }
}
