// Upsample: fixed (unlearned) enlargement of images by an integer factor, nearest-neighbour
// or bilinear with PyTorch's `align_corners=False` (pixel centres aligned, edges clamped).
// N = batch, C = channels, H×W = input size, s = scale factor, H'×W' = sH×sW.

/// Enlarges each image s times along both axes: `[N, C, H, W] → [N, C, s·H, s·W]`.
///
/// Bilinear output pixel i reads the input at u = (i + ½)/s − ½ clamped to ≥ 0, blending
/// rows ⌊u⌋ and min(⌊u⌋ + 1, H − 1) by the fraction of u (likewise columns), as PyTorch's
/// `nn.Upsample(scale_factor=s, mode='bilinear', align_corners=False)`.
public final class Upsample: Layer {
  /// How output pixels are computed from input pixels.
  public enum Method: Sendable {
    /// Output (i, j) copies input (⌊i/s⌋, ⌊j/s⌋).
    case nearest
    /// Linear interpolation along each axis between the two nearest input centres.
    case bilinear
  }

  /// s.
  public let scale: Int
  /// See `Method`.
  public let method: Method
  private var inputShape: [Int] = []
  /// For each output row: the two input rows and the weight of the second (bilinear).
  private var rows: [(Int, Int, Float)] = []
  /// For each output column: the two input columns and the weight of the second (bilinear).
  private var columns: [(Int, Int, Float)] = []

  /// An upsampler by the integer factor `scale`.
  public init(scale: Int = 2, method: Method = .nearest) {
    precondition(scale > 0, "Upsample scale must be positive")
    self.scale = scale
    self.method = method
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    precondition(input.rank == 4, "Upsample needs [N, C, H, W], got \(input.shape)")
    let (h, w) = (input.shape[2], input.shape[3])
    if input.shape != inputShape {
      inputShape = input.shape
      rows = Upsample.taps(extent: h, scale: scale, method: method)
      columns = Upsample.taps(extent: w, scale: scale, method: method)
    }
    let (outH, outW) = (h * scale, w * scale)
    var output = Tensor(zeros: [input.shape[0], input.shape[1], outH, outW])
    input.withUnsafeBufferPointer { x in
      output.withUnsafeMutableBufferPointer { y in
        for plane in 0..<(input.shape[0] * input.shape[1]) {
          let source = x.baseAddress! + plane * h * w
          let target = y.baseAddress! + plane * outH * outW
          for (i, (r0, r1, ly)) in rows.enumerated() {
            let (top, bottom, line) = (source + r0 * w, source + r1 * w, target + i * outW)
            for (j, (c0, c1, lx)) in columns.enumerated() {
              let upper = top[c0] + lx * (top[c1] - top[c0])
              let lower = bottom[c0] + lx * (bottom[c1] - bottom[c0])
              line[j] = upper + ly * (lower - upper)
            }
          }
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    let (h, w) = (inputShape[2], inputShape[3])
    let (outH, outW) = (h * scale, w * scale)
    precondition(
      outputGradient.shape == [inputShape[0], inputShape[1], outH, outW],
      "Upsample backward: gradient shape")
    var inputGradient = Tensor(zeros: inputShape)
    outputGradient.withUnsafeBufferPointer { dy in
      inputGradient.withUnsafeMutableBufferPointer { dx in
        for plane in 0..<(inputShape[0] * inputShape[1]) {
          let source = dy.baseAddress! + plane * outH * outW
          let target = dx.baseAddress! + plane * h * w
          for (i, (r0, r1, ly)) in rows.enumerated() {
            let (top, bottom, line) = (target + r0 * w, target + r1 * w, source + i * outW)
            for (j, (c0, c1, lx)) in columns.enumerated() {
              let g = line[j]
              let (upper, lower) = (g * (1 - ly), g * ly)
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

  /// For each of the s·extent outputs along an axis: the two inputs it blends and the
  /// weight of the second (nearest: the same input twice, weight 0).
  static func taps(extent: Int, scale: Int, method: Method) -> [(Int, Int, Float)] {
    (0..<(extent * scale)).map { i in
      switch method {
      case .nearest:
        return (i / scale, i / scale, 0)
      case .bilinear:
        let u = Swift.max((Float(i) + 0.5) / Float(scale) - 0.5, 0)
        let first = Swift.min(Int(u), extent - 1)
        return (first, Swift.min(first + 1, extent - 1), u - Float(first))
      }
    }
  }
}
