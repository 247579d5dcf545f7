// The geometry of a convolution's window sweep, which every convolution path uses (im2col,
// direct, Winograd, depthwise, transposed): C = channels, H×W = image size, kH×kW = kernel,
// s = stride, H'×W' = output size, K = C·kH·kW, P = H'·W'.

/// The shape of one window sweep over one image: what im2col and col2im need to know.
///
/// Padding is given as the top and left amounts only: with the output size fixed, the bottom
/// and right amounts follow (and may even be negative, i.e. rows that no window reaches).
public struct ConvolutionGeometry: Equatable, Sendable {
  /// C, H, W of the image swept.
  public var channels, height, width: Int
  /// kH, kW.
  public var kernelHeight, kernelWidth: Int
  /// s, the same along both axes.
  public var stride: Int
  /// Zero rows above / columns left of the image.
  public var padTop, padLeft: Int
  /// H', W': the number of window positions along each axis.
  public var outputHeight, outputWidth: Int

  /// The geometry with every field given.
  public init(
    channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int,
    padTop: Int, padLeft: Int, outputHeight: Int, outputWidth: Int
  ) {
    self.channels = channels
    self.height = height
    self.width = width
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.stride = stride
    self.padTop = padTop
    self.padLeft = padLeft
    self.outputHeight = outputHeight
    self.outputWidth = outputWidth
  }

  /// K = C·kH·kW: rows of the column matrix (one per weight of an output channel).
  public var patchSize: Int { channels * kernelHeight * kernelWidth }
  /// P = H'·W': columns per image.
  public var outputArea: Int { outputHeight * outputWidth }
  /// H·W.
  public var imageArea: Int { height * width }

  /// The output positions `lo..<hi` along one axis whose input index `o·s + offset` lies in
  /// `0..<extent`; `offset` = kernel tap − padding.
  @inline(__always)
  func validRange(offset: Int, extent: Int, count: Int) -> (lo: Int, hi: Int) {
    let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    let hi = extent - offset <= 0 ? 0 : Swift.min(count, (extent - offset - 1) / stride + 1)
    return (Swift.min(lo, hi), hi)
  }
}
