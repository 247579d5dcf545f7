// ConvolutionEpilogue: what happens to a convolution's output channels right after the
// product, while the tile is still in cache — the bias, and at inference a folded batch
// normalisation (y·s + t) and an activation (ReLU, ReLU6 or hard-swish). Sequential builds one
// from Conv2D → BatchNorm2D → ReLU/ReLU6/HardSwish runs (InferenceFusion.swift), saving two passes over
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
  /// The activation after the affine part: ReLU, ReLU6 (x clamped to [0, 6]) or hard-swish,
  /// x·min(max(x + 3, 0), 6)/6 (`HardSwish`). The Winograd paths honour ReLU only
  /// (`winogradCanApply`); InferenceFusion sets the others only where they do not apply.
  public var activation: RowActivation

  public init(
    scale: [Float]? = nil, shift: [Float]? = nil, activation: RowActivation = .none
  ) {
    self.scale = scale
    self.shift = shift
    self.activation = activation
  }

  /// An epilogue with ReLU (`rectifies`) or hard-swish (`hardSwishes`), or neither.
  public init(
    scale: [Float]? = nil, shift: [Float]? = nil, rectifies: Bool, hardSwishes: Bool = false
  ) {
    precondition(!(rectifies && hardSwishes), "one activation per epilogue")
    self.init(
      scale: scale, shift: shift, activation: rectifies ? .relu : hardSwishes ? .hardSwish : .none)
  }

  /// An epilogue with hard-swish.
  public init(scale: [Float]? = nil, shift: [Float]? = nil, hardSwishes: Bool) {
    self.init(scale: scale, shift: shift, activation: hardSwishes ? .hardSwish : .none)
  }

  /// Whether negative results become 0 and nothing else happens to them (ReLU).
  public var rectifies: Bool { activation == .relu }
  /// Whether the result goes through hard-swish.
  public var hardSwishes: Bool { activation == .hardSwish }
  /// Whether the Winograd paths can apply it (their epilogues know ReLU only).
  var winogradCanApply: Bool { activation == .none || activation == .relu }

  /// Whether it changes nothing.
  var isIdentity: Bool { scale == nil && shift == nil && activation == .none }

  /// Followed by the affine map y·s + t: composes (y·a + b)·s + t = y·(a·s) + (b·s + t).
  func followed(byScale s: [Float], shift t: [Float]) -> ConvolutionEpilogue {
    precondition(activation == .none, "an affine map after an activation does not fold")
    let a = scale ?? [Float](repeating: 1, count: s.count)
    let b = shift ?? [Float](repeating: 0, count: s.count)
    return ConvolutionEpilogue(
      scale: zip(a, s).map { $0 * $1 }, shift: (0..<s.count).map { b[$0] * s[$0] + t[$0] })
  }

  /// Applies channel `channel`'s map to `count` values at `values`.
  @inline(__always)
  func apply(_ values: UnsafeMutablePointer<Float>, count: Int, channel: Int) {
    if isIdentity { return }
    let a = scale?[channel] ?? 1
    let b = shift?[channel] ?? 0
    if CPUFeatures.hasAVX2AndFMA {
      return ConvolutionKernels.active.rowEpilogue(values, count, a, b, activation)
    }
    switch activation {
    case .relu:
      for q in 0..<count {
        let v = values[q] * a + b
        values[q] = v > 0 ? v : 0
      }
    case .relu6:
      // The same expressions as the layers' forward passes, so fused and unfused agree exactly.
      for q in 0..<count { values[q] = Swift.min(Swift.max(values[q] * a + b, 0), 6) }
    case .hardSwish:
      for q in 0..<count {
        let v = values[q] * a + b
        values[q] = v * Swift.min(Swift.max(v + 3, 0), 6) / 6
      }
    case .none:
      for q in 0..<count { values[q] = values[q] * a + b }
    }
  }
}
