// GaussianMixture: a mixture of K full-covariance Gaussians over RGB colours, the colour model
// of GrabCut (one for the object, one for the background). Fitted by hard assignment, as
// GrabCut does: each pixel belongs to its most likely component, each component is the mean
// and covariance of its pixels. The first split is Orchard–Bouman's (repeatedly cut the
// cluster of largest variance across its principal axis), so fitting is deterministic.
// Colours are in 0…255. Leaves out: soft EM, other colour spaces.
import Foundation

/// One Gaussian over RGB: weight, mean, and the inverse covariance and log-normaliser it is
/// evaluated with.
struct ColourGaussian {
  var weight: Float = 0
  var mean = SIMD3<Float>(repeating: 0)
  /// Σ⁻¹ as its upper triangle [a b c d e f] = [[a b c] [b d e] [c e f]] (lanes 6, 7 unused).
  var inverse = SIMD8<Float>(repeating: 0)
  /// log(weight) − ½·log((2π)³·det Σ): the constant part of log(weight·N(x)).
  var logScale: Float = -.infinity
}

/// A K-component RGB Gaussian mixture (K ≤ 8).
struct GaussianMixture {
  /// Added to the covariance diagonal (in squared levels): flat synthetic colours and tiny
  /// components would otherwise give singular covariances and infinite likelihoods.
  static let varianceFloor: Float = 1

  private(set) var components: [ColourGaussian]

  /// Components fitted to `colours` (RGB triples) with the given component `labels`.
  init(colours: [SIMD3<Float>], labels: [Int], count: Int) {
    var sums = [SIMD3<Double>](repeating: .zero, count: count)
    var products = [[Double]](repeating: [Double](repeating: 0, count: 6), count: count)
    var counts = [Int](repeating: 0, count: count)
    for (colour, k) in zip(colours, labels) {
      let c = SIMD3<Double>(Double(colour.x), Double(colour.y), Double(colour.z))
      sums[k] += c
      counts[k] += 1
      products[k][0] += c.x * c.x
      products[k][1] += c.x * c.y
      products[k][2] += c.x * c.z
      products[k][3] += c.y * c.y
      products[k][4] += c.y * c.z
      products[k][5] += c.z * c.z
    }
    let total = Double(max(colours.count, 1))
    components = (0..<count).map { k in
      guard counts[k] > 0 else { return ColourGaussian() }
      let n = Double(counts[k])
      let m = sums[k] / n
      let p = products[k]
      let floor = Double(GaussianMixture.varianceFloor)
      // Σ = E[xxᵀ] − μμᵀ (+ the floor on the diagonal), symmetric.
      let s = [
        p[0] / n - m.x * m.x + floor, p[1] / n - m.x * m.y, p[2] / n - m.x * m.z,
        p[3] / n - m.y * m.y + floor, p[4] / n - m.y * m.z, p[5] / n - m.z * m.z + floor,
      ]
      let (inverse, determinant) = invertSymmetric3(s)
      var g = ColourGaussian()
      g.weight = Float(n / total)
      g.mean = SIMD3<Float>(Float(m.x), Float(m.y), Float(m.z))
      let upper = [inverse[0], inverse[1], inverse[2], inverse[4], inverse[5], inverse[8]]
      for i in 0..<6 { g.inverse[i] = Float(upper[i]) }
      g.logScale = Float(log(n / total) - 0.5 * log(pow(2 * Double.pi, 3) * determinant))
      return g
    }
  }

  /// Orchard–Bouman initial labels: `count` clusters made by splitting, each time, the
  /// cluster with the largest variance at its mean across its principal axis.
  static func initialLabels(_ colours: [SIMD3<Float>], count: Int) -> [Int] {
    var labels = [Int](repeating: 0, count: colours.count)
    guard colours.count > 1 else { return labels }
    for newLabel in 1..<count {
      let model = GaussianMixture(colours: colours, labels: labels, count: newLabel)
      // The cluster and axis of largest spread (power iteration on Σ, from the floor-free part).
      var best = (cluster: -1, variance: Float(0), axis: SIMD3<Float>(1, 0, 0))
      for (k, g) in model.components.enumerated() where g.weight > 0 {
        let upper = (0..<6).map { Double(g.inverse[$0]) }
        let covariance = invertSymmetric3(upper).inverse.map { Float($0) }
        var v = SIMD3<Float>(0.577, 0.577, 0.577)
        var lambda: Float = 0
        for _ in 0..<20 {
          let w = SIMD3<Float>(
            covariance[0] * v.x + covariance[1] * v.y + covariance[2] * v.z,
            covariance[3] * v.x + covariance[4] * v.y + covariance[5] * v.z,
            covariance[6] * v.x + covariance[7] * v.y + covariance[8] * v.z)
          lambda = (w * w).sum().squareRoot()
          guard lambda > 0 else { break }
          v = w / lambda
        }
        if lambda > best.variance { best = (k, lambda, v) }
      }
      guard best.cluster >= 0, best.variance > varianceFloor * 1.01 else { break }
      let centre = (model.components[best.cluster].mean * best.axis).sum()
      for i in labels.indices where labels[i] == best.cluster {
        if (colours[i] * best.axis).sum() > centre { labels[i] = newLabel }
      }
    }
    return labels
  }

  /// log(wₖ·N(x; μₖ, Σₖ)) of component `k`.
  @inline(__always)
  func logDensity(_ x: SIMD3<Float>, component k: Int) -> Float {
    let g = components[k]
    let d = x - g.mean
    let s = g.inverse
    let q =
      d.x * (s[0] * d.x + 2 * (s[1] * d.y + s[2] * d.z)) + d.y * (s[3] * d.y + 2 * s[4] * d.z)
      + d.z * s[5] * d.z
    return g.logScale - 0.5 * q
  }

  /// The most likely component of `x`.
  func component(of x: SIMD3<Float>) -> Int {
    var best = 0
    var bestValue = -Float.infinity
    for k in components.indices where components[k].weight > 0 {
      let value = logDensity(x, component: k)
      if value > bestValue { (best, bestValue) = (k, value) }
    }
    return best
  }

  /// −log p(x): the cost of saying `x` was drawn from this model (log-sum-exp over components,
  /// so far-off colours give a large finite cost instead of infinity).
  func cost(_ x: SIMD3<Float>) -> Float {
    var logs = SIMD8<Float>(repeating: -.infinity)
    var top = -Float.infinity
    for k in components.indices where components[k].weight > 0 {
      logs[k] = logDensity(x, component: k)
      top = max(top, logs[k])
    }
    guard top > -.infinity else { return 0 }
    var sum: Float = 0
    for k in components.indices where logs[k] > -.infinity { sum += exp(logs[k] - top) }
    return -(top + log(sum))
  }
}

/// The cofactors [[c0 c1 c2] [c1 c3 c4] [c2 c4 c5]] and the determinant of the symmetric 3×3
/// matrix [[a b c] [b d e] [c e f]]: its inverse is the cofactors over the determinant. Shared
/// by the colour models here and the guided filter's per-pixel solve (no allocation).
@inline(__always)
func symmetric3Cofactors(
  _ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double
) -> (Double, Double, Double, Double, Double, Double, determinant: Double) {
  let c0 = d * f - e * e
  let c1 = c * e - b * f
  let c2 = b * e - c * d
  return (c0, c1, c2, a * f - c * c, b * c - a * e, a * d - b * b, a * c0 + b * c1 + c * c2)
}

/// The inverse and determinant of a symmetric 3×3 matrix given as its upper triangle
/// `[a, b, c, d, e, f]` = [[a b c] [b d e] [c e f]]; or a full row-major 3×3 (9 values).
func invertSymmetric3(_ m: [Double]) -> (inverse: [Double], determinant: Double) {
  let (a, b, c, d, e, f): (Double, Double, Double, Double, Double, Double)
  if m.count == 9 {
    (a, b, c, d, e, f) = (m[0], m[1], m[2], m[4], m[5], m[8])
  } else {
    (a, b, c, d, e, f) = (m[0], m[1], m[2], m[3], m[4], m[5])
  }
  let (ca, cb, cc, cd, ce, cf, exact) = symmetric3Cofactors(a, b, c, d, e, f)
  let determinant = exact > 1e-12 ? exact : 1e-12
  let s = 1 / determinant
  return ([ca * s, cb * s, cc * s, cb * s, cd * s, ce * s, cc * s, ce * s, cf * s], determinant)
}
