// DerivedWeights: a layout or transform of a parameter's values that a layer computes once
// and keeps until the values change (`Parameter.version`) — a convolution's filters laid out
// for the product kernel, or transformed for Winograd's method. At inference they are derived
// once; in training, whose optimiser steps change the values, once per step.

/// A buffer derived from a parameter, recomputed only when the parameter's values change.
final class DerivedWeights {
  private let storage = Workspace()
  /// The parameter version and the float count the buffer was derived for.
  private var derivedFrom = (version: -1, count: -1)

  /// `count` floats derived from `parameter` by `derive` (which writes them all); `derive`
  /// runs only when the values (or the count) changed since the last call.
  func get(
    _ count: Int, from parameter: Parameter, _ derive: (UnsafeMutablePointer<Float>) -> Void
  ) -> UnsafeMutablePointer<Float> {
    let buffer = storage.reserve(count)
    if derivedFrom != (parameter.version, count) {
      derive(buffer)
      derivedFrom = (parameter.version, count)
    }
    return buffer
  }
}
