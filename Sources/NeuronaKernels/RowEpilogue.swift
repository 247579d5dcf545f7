// The activations that follow a convolution at inference, and the per-channel epilogue
// y ← act(y·a + b) over a run of one output channel, generic over the vector (NeuronaAVX2
// and NeuronaAVX512 instantiate it: KernelInstances.swift there). Neurona's
// ConvolutionEpilogue calls it on every channel of every convolution's output (after the
// product, while it is in cache) and DepthwiseRows applies the same activations in its
// registers; the expressions are HardSwish's, ReLU's and ReLU6's, so fused and unfused agree.

/// The activation applied after the affine part of an epilogue.
public enum RowActivation: Sendable {
  case none, relu, hardSwish
  /// min(max(v, 0), 6) (MobileNet's and EfficientNet-Lite's ReLU6).
  case relu6
}

/// An activation as a type: the kernels take it as a type parameter and each is specialised
/// for it, with the activation inlined (a closure passed to a generic kernel stayed a call
/// per vector, with the vectors spilled around it).
@usableFromInline
protocol VectorActivation {
  static func apply<V: KernelVector>(_ v: V) -> V
}

/// No activation.
@usableFromInline
enum Identity: VectorActivation {
  @inlinable @inline(__always)
  static func apply<V: KernelVector>(_ v: V) -> V { v }
}

/// max(v, 0).
@usableFromInline
enum Rectifier: VectorActivation {
  @inlinable @inline(__always)
  static func apply<V: KernelVector>(_ v: V) -> V { v.atLeast(.zero) }
}

/// min(max(v, 0), 6), as ReLU6 computes it.
@usableFromInline
enum ClampedRectifier: VectorActivation {
  @inlinable @inline(__always)
  static func apply<V: KernelVector>(_ v: V) -> V { v.atLeast(.zero).atMost(V(repeating: 6)) }
}

/// v·min(max(v + 3, 0), 6)/6, as HardSwish computes it (the same rounding).
@usableFromInline
enum HardSwishing: VectorActivation {
  @inlinable @inline(__always)
  static func apply<V: KernelVector>(_ v: V) -> V {
    let clipped = (v + 3).atLeast(.zero).atMost(V(repeating: 6))
    return v * clipped / 6
  }
}

/// y ← act(y·a + b) over contiguous values.
public enum RowEpilogue {
  /// values[q] ← act(values[q]·scale + shift) for q < count, in vectors `V` (v·1 + 0 is
  /// exact, so a plain bias or a lone activation loses nothing by going through the
  /// multiply-add).
  @inlinable
  public static func apply<V: KernelVector>(
    _: V.Type, _ values: UnsafeMutablePointer<Float>, count: Int, scale: Float, shift: Float,
    activation: RowActivation
  ) {
    switch activation {
    case .none: sweep(V.self, Identity.self, values, count, scale, shift)
    case .relu: sweep(V.self, Rectifier.self, values, count, scale, shift)
    case .hardSwish: sweep(V.self, HardSwishing.self, values, count, scale, shift)
    case .relu6: sweep(V.self, ClampedRectifier.self, values, count, scale, shift)
    }
  }

  /// Two vectors at a time, then the rest a vector (the last one partial) at a time.
  @inlinable @inline(__always)
  static func sweep<V: KernelVector, A: VectorActivation>(
    _: V.Type, _: A.Type, _ values: UnsafeMutablePointer<Float>, _ count: Int, _ scale: Float,
    _ shift: Float
  ) {
    let lanes = V.scalarCount
    let (a, b) = (V(repeating: scale), V(repeating: shift))
    var q = 0
    while q + 2 * lanes <= count {
      let (u, v): (V, V) = (loadVector(values + q), loadVector(values + q + lanes))
      storeVector(A.apply(u * a + b), values + q)
      storeVector(A.apply(v * a + b), values + q + lanes)
      q += 2 * lanes
    }
    while q < count {
      let n = Swift.min(lanes, count - q)
      A.apply(V.load(values + q, lanes: n) * a + b).store(to: values + q, lanes: n)
      q += n
    }
  }
}

/// `RowEpilogue.apply` without the vector type: `(values, count, scale, shift, activation)`.
public typealias RowEpilogueKernel = (
  UnsafeMutablePointer<Float>, Int, Float, Float, RowActivation
) -> Void
