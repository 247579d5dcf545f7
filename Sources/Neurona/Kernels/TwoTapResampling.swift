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
    let doubles = doublesWithHalfPixelCenters(columns, input: w)
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
                      if doubles {
                        doubleHalfPixel(line, w, into: blended)
                        continue
                      }
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

  /// Whether `taps` are the half-pixel ×2 enlargement of `input` samples (TensorFlow's
  /// `half_pixel_centers`, PyTorch's `align_corners=False`, edges clamped): output 2k blends
  /// k − 1 and k with weight ¾, output 2k + 1 blends k and k + 1 with weight ¼.
  static func doublesWithHalfPixelCenters(_ taps: ResamplingTaps, input w: Int) -> Bool {
    guard w >= 2, taps.count == 2 * w else { return false }
    for k in 0..<w {
      let (even, odd) = (taps[2 * k], taps[2 * k + 1])
      // The clamped ends repeat one sample; their weight does not matter.
      let evenOK = k == 0 ? even.first == 0 && even.second == 0 : even == (k - 1, k, 0.75)
      let oddOK = k == w - 1 ? odd.first == k && odd.second == k : odd == (k, k + 1, 0.25)
      guard evenOK && oddOK else { return false }
    }
    return true
  }

  /// One row doubled with half-pixel centres: the same arithmetic as the general blend,
  /// a·(1 − f) + b·f with f = ¾ or ¼, eight input samples (sixteen outputs) at a time.
  @inline(__always)
  static func doubleHalfPixel(
    _ line: UnsafePointer<Float>, _ w: Int, into out: UnsafeMutablePointer<Float>
  ) {
    typealias Lanes = SIMD8<Float>
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> Lanes {
      UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }
    // The edges repeat their sample (weight 0 on the clamped twin).
    out[0] = line[0]
    out[2 * w - 1] = line[w - 1]
    let (three, one) = (Lanes(repeating: 0.75), Lanes(repeating: 0.25))
    // Interior k in 1...w−2 has both neighbours: outputs 2k (k − 1, k) and 2k + 1 (k, k + 1).
    var k = 1
    while k + 8 <= w - 1 {
      let (left, centre, right) = (load(line + k - 1), load(line + k), load(line + k + 1))
      var pair = SIMD16<Float>()
      pair.evenHalf = left * (1 - three) + centre * three
      pair.oddHalf = centre * (1 - one) + right * one
      UnsafeMutableRawPointer(out + 2 * k).storeBytes(of: pair, as: SIMD16<Float>.self)
      k += 8
    }
    while k < w - 1 {
      out[2 * k] = line[k - 1] * (1 - 0.75) + line[k] * 0.75
      out[2 * k + 1] = line[k] * (1 - 0.25) + line[k + 1] * 0.25
      k += 1
    }
    // Output 1 (k = 0's odd) and output 2w − 2 (k = w − 1's even) when not written above.
    out[1] = line[0] * (1 - 0.25) + line[1] * 0.25
    out[2 * w - 2] = line[w - 2] * (1 - 0.75) + line[w - 1] * 0.75
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
