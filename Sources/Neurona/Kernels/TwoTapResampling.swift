// The kernel shared by every fixed resampling layer (BilinearResize, Upsample): along each
// axis, output sample d blends two input samples (first, second) with the weight of the
// second; nearest-neighbour is the case of weight 0. Forward and its adjoint side by side.
// N = batch, C = channels, H×W = input size, H'×W' = output size.

/// One axis of a two-tap resampling: for each output index, the two input indices blended
/// and the weight of the second.
public typealias ResamplingTaps = [(first: Int, second: Int, weight: Float)]

/// Separable two-tap resampling of `[N, C, H, W]` planes.
enum TwoTapResampling {
  /// `[N, C, H, W] → [N, C, H', W']`, H' = rows.count, W' = columns.count.
  ///
  /// Separably: each input row that some output row reads is first resampled along W (the
  /// gathers, once per input row instead of twice per output row), then every output row is
  /// a blend of two of those, a plain loop that vectorises. The arithmetic is the same as
  /// blending the four neighbours of each output sample directly.
  static func forward(_ input: Tensor, rows: ResamplingTaps, columns: ResamplingTaps) -> Tensor {
    let (h, w) = (input.shape[2], input.shape[3])
    let (outH, outW) = (rows.count, columns.count)
    let (c0, c1, lx) = (columns.map(\.first), columns.map(\.second), columns.map(\.weight))
    var needed = [Bool](repeating: false, count: h)
    for (first, second, _) in rows { (needed[first], needed[second]) = (true, true) }
    return Tensor(uninitializedShape: [input.shape[0], input.shape[1], outH, outW]) { y in
      input.withUnsafeBufferPointer { x in
        c0.withUnsafeBufferPointer { c0 in
          c1.withUnsafeBufferPointer { c1 in
            lx.withUnsafeBufferPointer { lx in
              let (c0, c1, lx) = (c0.baseAddress!, c1.baseAddress!, lx.baseAddress!)
              // Planes are independent: shared between the workers when big enough.
              let planes = input.shape[0] * input.shape[1]
              ParallelPasses.forEachRange(planes, elementsPerItem: outH * outW) { range in
                // [H, W'] per plane: the input rows resampled along W.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: h * outW) { buffer in
                  let across = buffer.baseAddress!
                  for plane in range {
                    let source = x.baseAddress! + plane * h * w
                    for r in 0..<h where needed[r] {
                      let (line, blended) = (source + r * w, across + r * outW)
                      for j in 0..<outW {
                        let f = lx[j]
                        blended[j] = line[c0[j]] * (1 - f) + line[c1[j]] * f
                      }
                    }
                    let target = y.baseAddress! + plane * outH * outW
                    for i in 0..<outH {
                      let (r0, r1, ly) = rows[i]
                      let (upper, lower) = (across + r0 * outW, across + r1 * outW)
                      let line = target + i * outW
                      for j in 0..<outW { line[j] = upper[j] * (1 - ly) + lower[j] * ly }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// The adjoint of `forward`: each output gradient goes back to its four inputs, weighted.
  static func backward(
    _ outputGradient: Tensor, inputShape: [Int], rows: ResamplingTaps, columns: ResamplingTaps
  ) -> Tensor {
    let (h, w) = (inputShape[2], inputShape[3])
    let (outH, outW) = (rows.count, columns.count)
    var inputGradient = Tensor(zeros: inputShape)
    outputGradient.withUnsafeBufferPointer { dy in
      inputGradient.withUnsafeMutableBufferPointer { dx in
        for plane in 0..<(inputShape[0] * inputShape[1]) {
          let source = dy.baseAddress! + plane * outH * outW
          let target = dx.baseAddress! + plane * h * w
          for (i, (r0, r1, ly)) in rows.enumerated() {
            let (top, bottom, line) = (target + r0 * w, target + r1 * w, source + i * outW)
            for (j, (c0, c1, lx)) in columns.enumerated() {
              let (upper, lower) = (line[j] * (1 - ly), line[j] * ly)
              top[c0] += upper * (1 - lx)
              top[c1] += upper * lx
              bottom[c0] += lower * (1 - lx)
              bottom[c1] += lower * lx
            }
          }
        }
      }
    }
    return inputGradient
  }
}
