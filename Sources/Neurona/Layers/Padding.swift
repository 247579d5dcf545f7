// Padding: how many zero rows and columns a convolution adds around its input. PyTorch pads
// the same amount on every side; TensorFlow's "SAME" pads so that H' = ⌈H / s⌉ and puts the
// odd pixel at the bottom/right (models ported from TensorFlow, e.g. MediaPipe's, need it).

/// Zero padding around a convolution's input, per side.
///
/// An integer literal means symmetric padding, so `padding: 1` reads as in PyTorch.
public enum Padding: Equatable, Sendable, ExpressibleByIntegerLiteral {
  /// `p` rows/columns on every side (PyTorch's `padding=p`).
  case symmetric(Int)
  /// Each side given separately.
  case explicit(top: Int, left: Int, bottom: Int, right: Int)
  /// TensorFlow's SAME: output size ⌈H / s⌉; the total padding max((H'−1)·s + k − H, 0) is
  /// split with the smaller half on top/left, the odd pixel bottom/right.
  case same

  /// No padding (TensorFlow's VALID, PyTorch's default).
  public static let valid = Padding.symmetric(0)

  /// Symmetric padding of `value` on every side.
  public init(integerLiteral value: Int) { self = .symmetric(value) }

  /// The four amounts for an input of `height`×`width` under a kernel and stride.
  public func amounts(
    height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int
  ) -> (top: Int, left: Int, bottom: Int, right: Int) {
    switch self {
    case .symmetric(let p):
      return (p, p, p, p)
    case .explicit(let top, let left, let bottom, let right):
      return (top, left, bottom, right)
    case .same:
      func split(_ extent: Int, _ kernel: Int) -> (Int, Int) {
        let output = (extent + stride - 1) / stride
        let total = Swift.max((output - 1) * stride + kernel - extent, 0)
        return (total / 2, total - total / 2)
      }
      let (top, bottom) = split(height, kernelHeight)
      let (left, right) = split(width, kernelWidth)
      return (top, left, bottom, right)
    }
  }
}
