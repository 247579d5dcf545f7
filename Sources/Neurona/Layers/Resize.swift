// BilinearResize: fixed bilinear resampling of images to any size, with the two switches of
// TensorFlow's `resize_bilinear` that decide where the samples sit. Models ported from
// TensorFlow need the exact convention (MediaPipe's decoders use half-pixel centres; the wrong
// one moves a person mask by half a pixel per stage). `Upsample` covers integer factors only.
// N = batch, C = channels, H×W = input size, H'×W' = output size.

/// Bilinear resizing `[N, C, H, W] → [N, C, H', W']`, as TensorFlow Lite's RESIZE_BILINEAR.
///
/// Along each axis, output index d reads the input at
/// `u = (d + ½)·scale − ½` (`halfPixelCenters`) or `u = d·scale`, with
/// `scale = (in − 1)/(out − 1)` (`alignCorners`) or `in/out`; it blends inputs
/// `max(⌊u⌋, 0)` and `min(⌈u⌉, in − 1)` by the fraction of u (edges clamped).
/// Half-pixel centres without aligned corners is also PyTorch's `align_corners=False`.
public final class BilinearResize: Layer {
  /// H', W'.
  public let height: Int, width: Int
  /// Whether the corner pixels of input and output are aligned (scale (in−1)/(out−1)).
  public let alignCorners: Bool
  /// Whether pixel centres sit at half-integers (TensorFlow 2's default, PyTorch's).
  public let halfPixelCenters: Bool

  private var inputShape: [Int] = []
  /// For each output row: the two input rows and the weight of the second.
  private var rows: ResamplingTaps = []
  /// For each output column: the two input columns and the weight of the second.
  private var columns: ResamplingTaps = []

  /// A resize to `height`×`width`.
  public init(height: Int, width: Int, alignCorners: Bool = false, halfPixelCenters: Bool = true) {
    precondition(height > 0 && width > 0, "BilinearResize needs a positive size")
    precondition(!(alignCorners && halfPixelCenters), "alignCorners excludes halfPixelCenters")
    (self.height, self.width) = (height, width)
    (self.alignCorners, self.halfPixelCenters) = (alignCorners, halfPixelCenters)
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    precondition(input.rank == 4, "BilinearResize needs [N, C, H, W], got \(input.shape)")
    prepareTaps(for: input.shape)
    return TwoTapResampling.forward(input, rows: rows, columns: columns)
  }

  /// The adjoint of forward: each output gradient goes back to its four inputs, weighted.
  public func backward(_ outputGradient: Tensor) -> Tensor {
    precondition(
      outputGradient.shape == [inputShape[0], inputShape[1], height, width],
      "BilinearResize backward: gradient \(outputGradient.shape) does not match the output")
    return TwoTapResampling.backward(
      outputGradient, inputShape: inputShape, rows: rows, columns: columns)
  }

  private func prepareTaps(for shape: [Int]) {
    guard shape != inputShape else { return }
    inputShape = shape
    rows = taps(input: shape[2], output: height)
    columns = taps(input: shape[3], output: width)
  }

  /// For each of the `output` samples along an axis: the two inputs blended and the weight
  /// of the second, in float32 as TensorFlow Lite computes them.
  func taps(input: Int, output: Int) -> ResamplingTaps {
    let scale =
      alignCorners && output > 1
      ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
    return (0..<output).map { d in
      let u = halfPixelCenters ? (Float(d) + 0.5) * scale - 0.5 : Float(d) * scale
      let low = Swift.min(Swift.max(Int(u.rounded(.down)), 0), input - 1)
      let high = Swift.min(Int(u.rounded(.up)), input - 1)
      // Where both taps are the same input (clamped edges) the weight does not matter: 0.
      return (low, high, high == low ? 0 : u - Float(low))
    }
  }
}
