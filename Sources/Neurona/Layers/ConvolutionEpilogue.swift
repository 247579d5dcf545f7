// ConvolutionEpilogue: what happens to a convolution's output channels right after the
// product, while the tile is still in cache — the bias, and at inference a folded batch
// normalisation (y·s + t) and a ReLU. Sequential builds one from Conv2D → BatchNorm2D → ReLU
// runs (InferenceFusion.swift), saving two passes over memory per block.

/// y[o] ← max(0, y[o]·scale[o] + shift[o]) (the ReLU, scale and shift each optional).
public struct ConvolutionEpilogue {
  /// Per output channel; nil is 1.
  public var scale: [Float]?
  /// Per output channel; nil is 0.
  public var shift: [Float]?
  /// Whether negative results become 0.
  public var rectifies: Bool

  public init(scale: [Float]? = nil, shift: [Float]? = nil, rectifies: Bool = false) {
    self.scale = scale
    self.shift = shift
    self.rectifies = rectifies
  }

  /// Whether it changes nothing.
  var isIdentity: Bool { scale == nil && shift == nil && !rectifies }

  /// Followed by the affine map y·s + t: composes (y·a + b)·s + t = y·(a·s) + (b·s + t).
  func followed(byScale s: [Float], shift t: [Float]) -> ConvolutionEpilogue {
    precondition(!rectifies, "an affine map after a ReLU does not fold into it")
    let a = scale ?? [Float](repeating: 1, count: s.count)
    let b = shift ?? [Float](repeating: 0, count: s.count)
    return ConvolutionEpilogue(
      scale: zip(a, s).map { $0 * $1 }, shift: (0..<s.count).map { b[$0] * s[$0] + t[$0] },
      rectifies: false)
  }

  /// Applies channel `channel`'s map to `count` values at `values`.
  @inline(__always)
  func apply(_ values: UnsafeMutablePointer<Float>, count: Int, channel: Int) {
    if isIdentity { return }
    let a = scale?[channel] ?? 1
    let b = shift?[channel] ?? 0
    if rectifies {
      for q in 0..<count {
        let v = values[q] * a + b
        values[q] = v > 0 ? v : 0
      }
    } else {
      for q in 0..<count { values[q] = values[q] * a + b }
    }
  }
}
