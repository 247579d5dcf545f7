// Stochastic gradient descent, plain and with (heavy-ball) momentum.

/// w ← w − η·v, v ← μ·v + g (PyTorch's convention; μ = 0 is plain SGD).
public final class SGD: Optimizer {
  public var learningRate: Float
  /// μ in [0, 1): how much of the previous step carries over.
  public let momentum: Float
  public var gradientClipNorm: Float?
  private var velocities: [ObjectIdentifier: [Float]] = [:]

  /// SGD with step size `learningRate` and optional `momentum`.
  public init(learningRate: Float, momentum: Float = 0, gradientClipNorm: Float? = nil) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.gradientClipNorm = gradientClipNorm
  }

  public func step(_ parameters: [Parameter]) {
    for parameter in prepare(parameters) {
      let gradient = parameter.gradient
      let learningRate = learningRate * parameter.learningRateScale
      if momentum == 0 {
        parameter.value.withUnsafeMutableBufferPointer { w in
          gradient.withUnsafeBufferPointer { g in
            for i in 0..<w.count { w[i] -= learningRate * g[i] }
          }
        }
        continue
      }
      let key = ObjectIdentifier(parameter)
      var velocity = velocities[key] ?? [Float](repeating: 0, count: parameter.value.count)
      parameter.value.withUnsafeMutableBufferPointer { w in
        gradient.withUnsafeBufferPointer { g in
          for i in 0..<w.count {
            velocity[i] = momentum * velocity[i] + g[i]
            w[i] -= learningRate * velocity[i]
          }
        }
      }
      velocities[key] = velocity
    }
  }

  public func state(of parameters: [(name: String, parameter: Parameter)]) -> [String: Tensor] {
    var state: [String: Tensor] = [:]
    for (name, parameter) in parameters {
      if let velocity = velocities[ObjectIdentifier(parameter)] {
        state["velocity.\(name)"] = Tensor(shape: parameter.value.shape, scalars: velocity)
      }
    }
    return state
  }

  public func restore(
    _ state: [String: Tensor], of parameters: [(name: String, parameter: Parameter)]
  ) {
    for (name, parameter) in parameters {
      if let velocity = state["velocity.\(name)"], velocity.count == parameter.value.count {
        velocities[ObjectIdentifier(parameter)] = velocity.scalars
      }
    }
  }
}
