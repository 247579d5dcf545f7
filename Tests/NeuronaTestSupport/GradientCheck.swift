// The one finite-difference gradient check every layer and loss test uses.
//
// For a layer f, it takes the scalar L(x, θ) = Σ r ⊙ f(x; θ) with a fixed random r, whose
// gradient the layer's backward gives when fed r, and compares it with central differences
// (L(v + ε) − L(v − ε)) / 2ε for input elements and every parameter. L is accumulated in
// Double; the network runs in Float, so ε must not be tiny (1e-3 on values of order 1
// leaves a rounding error near 1e-4 in each difference quotient).
// Kinks (ReLU at 0, max-pool ties) break finite differences: tests keep inputs away from them,
// or let the check skip the points where a kink is within reach (and count them).
import Neurona

/// A gradient that disagrees with its finite-difference estimate.
public struct GradientMismatch: CustomStringConvertible {
  /// "input[3]" or "weight[17]".
  public var location: String
  public var analytic: Double, numeric: Double
  public var description: String { "\(location): analytic \(analytic), numeric \(numeric)" }
}

/// Tolerances for `checkGradients`: a difference passes if |a − n| ≤ absolute + relative·max(|a|, |n|).
public struct GradientTolerance {
  public var epsilon: Float
  public var absolute: Double
  public var relative: Double
  /// Checks at most this many elements of each tensor (chosen evenly spread).
  public var samplesPerTensor: Int
  /// With `skipKinks`, the share of sampled points that must still be judged: a check that
  /// skipped nearly everything would pass without having compared anything.
  public var minimumJudgedShare: Double
  public init(
    epsilon: Float = 1e-3, absolute: Double = 2e-3, relative: Double = 2e-2,
    samplesPerTensor: Int = 60, minimumJudgedShare: Double = 0.5
  ) {
    self.epsilon = epsilon
    self.absolute = absolute
    self.relative = relative
    self.samplesPerTensor = samplesPerTensor
    self.minimumJudgedShare = minimumJudgedShare
  }
  /// The default: float32 layers with outputs of order 1.
  public static let standard = GradientTolerance()
}

/// What a gradient check compared: the mismatches, and how many points of each tensor
/// ("input", or a parameter's name) were judged or skipped for a kink.
public struct GradientCheckReport {
  public var mismatches: [GradientMismatch] = []
  public var judged: [String: Int] = [:]
  public var skipped = 0
  public var judgedCount: Int { judged.values.reduce(0, +) }
}

/// Compares `layer`'s input and parameter gradients with central differences.
///
/// `beforeForward` runs before every forward pass (e.g. to reseed dropout so each pass
/// draws the same mask). With `skipKinks`, each point is also estimated with ε/2 and
/// skipped when the two estimates disagree: a ReLU or max-pool kink lies within ε there
/// and finite differences say nothing (the ggml `grad_expect` idea, decided numerically).
/// - Returns: every mismatch found (empty when the gradients are right), and one more when
///   fewer than `tolerance.minimumJudgedShare` of the sampled points could be judged.
public func checkGradients(
  of layer: Layer, input: Tensor, mode: Mode = .training,
  tolerance: GradientTolerance = .standard, seed: UInt64 = 42, skipKinks: Bool = false,
  beforeForward: () -> Void = {}
) -> [GradientMismatch] {
  let report = gradientCheckReport(
    of: layer, input: input, mode: mode, tolerance: tolerance, seed: seed,
    skipKinks: skipKinks, beforeForward: beforeForward)
  let sampled = report.judgedCount + report.skipped
  guard Double(report.judgedCount) >= tolerance.minimumJudgedShare * Double(sampled),
    report.judgedCount > 0
  else {
    return report.mismatches + [
      GradientMismatch(
        location: "only \(report.judgedCount) of \(sampled) points judged (kinks)",
        analytic: .nan, numeric: .nan)
    ]
  }
  return report.mismatches
}

/// The full account of `checkGradients`: every point judged or skipped, tensor by tensor.
public func gradientCheckReport(
  of layer: Layer, input: Tensor, mode: Mode = .training,
  tolerance: GradientTolerance = .standard, seed: UInt64 = 42, skipKinks: Bool = false,
  beforeForward: () -> Void = {}
) -> GradientCheckReport {
  var generator = SplitMix64(seed: seed)
  beforeForward()
  let output = layer.forward(input, mode: mode)
  let projection = Tensor(
    shape: output.shape, scalars: (0..<output.count).map { _ in generator.nextGaussian() })
  func objective(_ x: Tensor) -> Double {
    beforeForward()
    let y = layer.forward(x, mode: mode)
    return zip(y.scalars, projection.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
  }
  layer.zeroGradients()
  beforeForward()
  _ = layer.forward(input, mode: mode)
  let inputGradient = layer.backward(projection)
  let parameterGradients = layer.namedParameters.filter { $0.parameter.role != .buffer }
    .map { ($0.name, $0.parameter, $0.parameter.gradient) }

  var report = GradientCheckReport()
  func compare(_ tensor: String, _ index: Int, _ analytic: Double, _ numeric: Double) {
    report.judged[tensor, default: 0] += 1
    let allowed = tolerance.absolute + tolerance.relative * max(abs(analytic), abs(numeric))
    if !(abs(analytic - numeric) <= allowed) {
      report.mismatches.append(
        GradientMismatch(location: "\(tensor)[\(index)]", analytic: analytic, numeric: numeric))
    }
  }
  /// The central difference of the objective along one element set by `set`, at step h;
  /// with `skipKinks`, nil when steps h and h/2 disagree.
  func estimate(_ set: (Float) -> Void, _ original: Float) -> Double? {
    func difference(_ h: Float) -> Double {
      set(original + h)
      let plus = objective(inputUnderTest)
      set(original - h)
      let minus = objective(inputUnderTest)
      set(original)
      return (plus - minus) / (2 * Double(h))
    }
    let coarse = difference(tolerance.epsilon)
    guard skipKinks else { return coarse }
    let fine = difference(tolerance.epsilon / 2)
    // Two estimates of one slope must agree more closely than an estimate and the analytic
    // value may differ: a third of the tolerance.
    let allowed = (tolerance.absolute + tolerance.relative * max(abs(coarse), abs(fine))) / 3
    guard abs(coarse - fine) <= allowed else {
      report.skipped += 1
      return nil
    }
    return fine
  }
  var inputUnderTest = input
  for i in sampleIndices(input.count, tolerance.samplesPerTensor) {
    if let numeric = estimate({ inputUnderTest.scalars[i] = $0 }, input.scalars[i]) {
      compare("input", i, Double(inputGradient.scalars[i]), numeric)
    }
  }
  for (name, parameter, gradient) in parameterGradients {
    for i in sampleIndices(parameter.value.count, tolerance.samplesPerTensor) {
      if let numeric = estimate({ parameter.value.scalars[i] = $0 }, parameter.value.scalars[i]) {
        compare(name, i, Double(gradient.scalars[i]), numeric)
      }
    }
  }
  return report
}

/// Compares a loss's gradient with respect to the prediction with central differences.
public func checkLossGradient(
  _ loss: Loss, prediction: Tensor, target: Tensor, tolerance: GradientTolerance = .standard
) -> [GradientMismatch] {
  let analytic = loss.evaluate(prediction, target).gradient
  var mismatches: [GradientMismatch] = []
  let eps = tolerance.epsilon
  for i in sampleIndices(prediction.count, tolerance.samplesPerTensor) {
    var plus = prediction
    var minus = prediction
    plus.scalars[i] += eps
    minus.scalars[i] -= eps
    let numeric =
      (Double(loss.evaluate(plus, target).value) - Double(loss.evaluate(minus, target).value))
      / (2 * Double(eps))
    let a = Double(analytic.scalars[i])
    if !(abs(a - numeric) <= tolerance.absolute + tolerance.relative * max(abs(a), abs(numeric))) {
      mismatches.append(
        GradientMismatch(location: "prediction[\(i)]", analytic: a, numeric: numeric))
    }
  }
  return mismatches
}

/// Up to `limit` indices spread evenly over 0..<count (all of them when count ≤ limit).
func sampleIndices(_ count: Int, _ limit: Int) -> [Int] {
  guard count > limit else { return Array(0..<count) }
  return (0..<limit).map { $0 * count / limit }
}

/// A tensor of `shape` with seeded values uniform in [low, high).
public func randomTensor(_ shape: [Int], low: Float = -1, high: Float = 1, seed: UInt64 = 7)
  -> Tensor
{
  var generator = SplitMix64(seed: seed)
  let count = Tensor.count(of: shape)
  return Tensor(
    shape: shape, scalars: (0..<count).map { _ in low + (high - low) * generator.nextUnitFloat() })
}

/// Like `randomTensor`, but every |value| ≥ `margin`: keeps ReLU-like kinks out of reach of ε.
public func randomTensorAwayFromZero(_ shape: [Int], margin: Float = 0.05, seed: UInt64 = 7)
  -> Tensor
{
  randomTensor(shape, seed: seed).map { $0 >= 0 ? $0 + margin : $0 - margin }
}
