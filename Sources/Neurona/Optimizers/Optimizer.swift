// The Optimizer protocol (gradient descent and its refinements) and gradient-norm clipping,
// which every optimiser can apply before its step.

/// Updates parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
  /// The step size; trainers may change it between epochs.
  var learningRate: Float { get set }
  /// Rescales all gradients together so their global L2 norm is at most this (nil: never).
  var gradientClipNorm: Float? { get set }
  /// One update of every non-buffer parameter from its gradient.
  func step(_ parameters: [Parameter])
  /// The optimiser's memory (momenta, step count) as named tensors, for checkpoints.
  func state(of parameters: [(name: String, parameter: Parameter)]) -> [String: Tensor]
  /// Restores what `state(of:)` saved; parameters absent from `state` start fresh.
  func restore(_ state: [String: Tensor], of parameters: [(name: String, parameter: Parameter)])
}

extension Optimizer {
  /// The parameters an optimiser moves (buffers such as BatchNorm statistics excluded),
  /// after clipping their gradients if `gradientClipNorm` is set.
  func prepare(_ parameters: [Parameter]) -> [Parameter] {
    let trainable = parameters.filter { $0.role != .buffer }
    if let maxNorm = gradientClipNorm { clipGradientNorm(trainable, maxNorm: maxNorm) }
    return trainable
  }
}

/// Scales every gradient by min(1, maxNorm / ‖g‖), ‖g‖ the L2 norm over all of them.
///
/// The usual cure for exploding gradients in recurrent networks.
/// - Returns: the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
  let norm = Float(parameters.reduce(0.0) { $0 + $1.gradient.squaredNorm() }.squareRoot())
  guard norm > maxNorm, norm > 0 else { return norm }
  let scale = maxNorm / norm
  for parameter in parameters {
    parameter.gradient.withUnsafeMutableBufferPointer { g in
      for i in 0..<g.count { g[i] *= scale }
    }
  }
  return norm
}
