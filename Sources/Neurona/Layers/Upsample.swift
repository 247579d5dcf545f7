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
  private var rows: ResamplingTaps = []
  /// For each output column: the two input columns and the weight of the second (bilinear).
  private var columns: ResamplingTaps = []

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
    return TwoTapResampling.forward(input, rows: rows, columns: columns)
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    precondition(
      outputGradient.shape == [
        inputShape[0], inputShape[1], inputShape[2] * scale, inputShape[3] * scale,
      ],
      "Upsample backward: gradient shape")
    return TwoTapResampling.backward(
      outputGradient, inputShape: inputShape, rows: rows, columns: columns)
  }

  /// For each of the s·extent outputs along an axis: the two inputs it blends and the
  /// weight of the second (nearest: the same input twice, weight 0).
  static func taps(extent: Int, scale: Int, method: Method) -> ResamplingTaps {
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
