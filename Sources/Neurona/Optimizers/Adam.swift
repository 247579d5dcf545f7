// Adam: per-parameter step sizes from running estimates of the gradient's first and second
// moments, with bias correction for the early steps.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − η·m̂/(√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
///
/// - Paper: Kingma & Ba, arXiv:1412.6980.
public final class Adam: Optimizer {
  public var learningRate: Float
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  public var gradientClipNorm: Float?
  /// Steps taken so far (t), which the bias correction needs; saved in checkpoints.
  public private(set) var stepCount = 0
  private var moments: [ObjectIdentifier: (first: [Float], second: [Float])] = [:]

  /// Adam with PyTorch's defaults unless given.
  public init(
    learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    gradientClipNorm: Float? = nil
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.gradientClipNorm = gradientClipNorm
  }

  public func step(_ parameters: [Parameter]) {
    stepCount += 1
    let correction1 = 1 - powf(beta1, Float(stepCount))
    let correction2 = 1 - powf(beta2, Float(stepCount))
    let stepSize = learningRate / correction1
    let (b1, b2, eps) = (beta1, beta2, epsilon)
    for parameter in prepare(parameters) {
      let key = ObjectIdentifier(parameter)
      let count = parameter.value.count
      let stepSize = stepSize * parameter.learningRateScale
      var (m, v) =
        moments.removeValue(forKey: key)
        ?? ([Float](repeating: 0, count: count), [Float](repeating: 0, count: count))
      let gradient = parameter.gradient
      if count > 0 {
        parameter.value.withUnsafeMutableBufferPointer { w in
          gradient.withUnsafeBufferPointer { g in
            m.withUnsafeMutableBufferPointer { m in
              v.withUnsafeMutableBufferPointer { v in
                let update = Update(
                  w: w.baseAddress!, g: g.baseAddress!, m: m.baseAddress!, v: v.baseAddress!,
                  b1: b1, b2: b2, eps: eps, stepSize: stepSize, correction2: correction2)
                // Element-wise: big tensors (a classifier's first dense layer) are split
                // between the workers.
                ParallelPasses.forEachRange(count, elementsPerItem: 4, alignment: 64) { range in
                  update.apply(range)
                }
              }
            }
          }
        }
      }
      moments[key] = (m, v)
    }
  }

  /// One step's element-wise update over raw buffers (w, g, m, v do not overlap).
  ///
  /// Eight lanes at a time: the compiler leaves the scalar loop scalar (it cannot rule out
  /// that the four buffers overlap), and a square root and a division per element made it
  /// several times slower than the memory traffic. Each lane computes exactly what the
  /// scalar remainder does — same operations, same order — so results do not depend on
  /// where a range starts.
  private struct Update {
    let w: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    let b1: Float, b2: Float, eps: Float, stepSize: Float, correction2: Float

    func apply(_ range: Range<Int>) {
      typealias Lanes = SIMD8<Float>
      let (b1s, c1s) = (Lanes(repeating: b1), Lanes(repeating: 1 - b1))
      let (b2s, c2s) = (Lanes(repeating: b2), Lanes(repeating: 1 - b2))
      let (steps, corrections) = (Lanes(repeating: stepSize), Lanes(repeating: correction2))
      let epsilons = Lanes(repeating: eps)
      var i = range.lowerBound
      while i + 8 <= range.upperBound {
        let gi = UnsafeRawPointer(g + i).loadUnaligned(as: Lanes.self)
        var mi = UnsafeRawPointer(m + i).loadUnaligned(as: Lanes.self)
        var vi = UnsafeRawPointer(v + i).loadUnaligned(as: Lanes.self)
        var wi = UnsafeRawPointer(w + i).loadUnaligned(as: Lanes.self)
        mi = b1s * mi + c1s * gi
        vi = b2s * vi + c2s * gi * gi
        wi -= steps * mi / ((vi / corrections).squareRoot() + epsilons)
        UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: Lanes.self)
        UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: Lanes.self)
        UnsafeMutableRawPointer(w + i).storeBytes(of: wi, as: Lanes.self)
        i += 8
      }
      while i < range.upperBound {
        m[i] = b1 * m[i] + (1 - b1) * g[i]
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
        w[i] -= stepSize * m[i] / ((v[i] / correction2).squareRoot() + eps)
        i += 1
      }
    }
  }

  public func state(of parameters: [(name: String, parameter: Parameter)]) -> [String: Tensor] {
    var state = ["adam.step": Tensor(shape: [1], scalars: [Float(stepCount)])]
    for (name, parameter) in parameters {
      guard let (m, v) = moments[ObjectIdentifier(parameter)] else { continue }
      state["adam.m.\(name)"] = Tensor(shape: parameter.value.shape, scalars: m)
      state["adam.v.\(name)"] = Tensor(shape: parameter.value.shape, scalars: v)
    }
    return state
  }

  public func restore(
    _ state: [String: Tensor], of parameters: [(name: String, parameter: Parameter)]
  ) {
    stepCount = Int(state["adam.step"]?.scalars.first ?? 0)
    for (name, parameter) in parameters {
      guard let m = state["adam.m.\(name)"], let v = state["adam.v.\(name)"],
        m.count == parameter.value.count, v.count == m.count
      else { continue }
      moments[ObjectIdentifier(parameter)] = (m.scalars, v.scalars)
    }
  }
}
