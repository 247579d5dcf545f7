// ConvolutionEpilogue: what happens to a convolution's output channels right after the
// product, while the tile is still in cache — the bias, and at inference a folded batch
// normalisation (y·s + t) and an activation (ReLU or hard-swish). Sequential builds one from
// Conv2D → BatchNorm2D → ReLU/HardSwish runs (InferenceFusion.swift), saving two passes over
// memory per block; DepthwiseConv2D takes one too. With AVX2 or AVX-512 the pass is
// NeuronaKernels' RowEpilogue in the running kernels' vectors (8 or 16 lanes, not the
// baseline's four).
import NeuronaKernels

/// y[o] ← act(y[o]·scale[o] + shift[o]) (the scale, shift and activation each optional).
public struct ConvolutionEpilogue {
  /// Per output channel; nil is 1.
  public var scale: [Float]?
  /// Per output channel; nil is 0.
  public var shift: [Float]?
  /// Whether negative results become 0.
  public var rectifies: Bool
  /// Whether the result goes through hard-swish, x·min(max(x + 3, 0), 6)/6 (`HardSwish`).
  /// The Winograd path does not honour it: InferenceFusion never sets it on a convolution
  /// that `winogradApplies`.
  public var hardSwishes: Bool

  public init(
    scale: [Float]? = nil, shift: [Float]? = nil, rectifies: Bool = false,
    hardSwishes: Bool = false
  ) {
    precondition(!(rectifies && hardSwishes), "one activation per epilogue")
    self.scale = scale
    self.shift = shift
    self.rectifies = rectifies
    self.hardSwishes = hardSwishes
  }

  /// Whether it changes nothing.
  var isIdentity: Bool { scale == nil && shift == nil && !rectifies && !hardSwishes }

  /// Followed by the affine map y·s + t: composes (y·a + b)·s + t = y·(a·s) + (b·s + t).
  func followed(byScale s: [Float], shift t: [Float]) -> ConvolutionEpilogue {
    precondition(!rectifies && !hardSwishes, "an affine map after an activation does not fold")
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
    if CPUFeatures.hasAVX2AndFMA {
      let activation: RowActivation = rectifies ? .relu : hardSwishes ? .hardSwish : .none
      return ConvolutionKernels.active.rowEpilogue(values, count, a, b, activation)
    }
    if rectifies {
      for q in 0..<count {
        let v = values[q] * a + b
        values[q] = v > 0 ? v : 0
      }
    } else if hardSwishes {
      // The same expression as HardSwish.forward, so that fused and unfused agree exactly.
      for q in 0..<count {
        let v = values[q] * a + b
        values[q] = v * Swift.min(Swift.max(v + 3, 0), 6) / 6
      }
    } else {
      for q in 0..<count { values[q] = values[q] * a + b }
    }
  }
}
