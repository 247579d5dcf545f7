// Why a classifier chose its class: a heat map of the evidence over the input, built on the
// layers' own backward passes. A network with convolutions gets Grad-CAM on its last
// convolutional block — the block's feature maps weighted by the spatial mean of the class
// score's gradient, summed, ReLU'd; a network without (MLP, row-LSTM) gets input-gradient
// saliency, |∂score/∂pixel| (max over channels). The layers up to the explained block run as
// at inference (BatchNorm with its running statistics: EfficientNet's blocks); only the
// layers above it run backward, and those must not hold a BatchNorm (its backward is the
// training one, with batch statistics). Left out: guided backprop, integrated gradients.
// C = channels, H×W = input size, K = feature maps of the explained block, h×w = their size.
import Neurona
import NeuronaImage

/// A heat map over a classifier's input, 0 (no evidence) to 1 (the strongest).
public struct Explanation: Sendable {
  /// How the map was made.
  public enum Method: String, Sendable {
    /// Grad-CAM on the last convolutional block.
    case gradCAM = "grad-cam"
    /// |∂score/∂input|.
    case saliency
  }

  /// The class whose evidence is shown.
  public var classIndex: Int
  /// `H × W` (the model's input size), normalised so the peak is 1.
  public var heat: FloatMap
  public var method: Method

  /// The position of the largest value (the first, in raster order).
  public var peak: (x: Int, y: Int) {
    let index = heat.values.indices.max { heat.values[$0] < heat.values[$1] } ?? 0
    return (index % heat.width, index / heat.width)
  }
}

/// Passes that keep what backward needs without training behaviour: layers run in training
/// mode (so they cache their inputs) except Dropout, which is skipped both ways (it is the
/// identity at inference).
private struct GradientPath {
  let layers: [Layer]

  init(_ network: Layer) throws {
    if let sequential = network as? Sequential {
      layers = sequential.layers.filter { !($0 is Dropout) }
    } else {
      layers = [network]
    }
  }

  /// Whether a layer is or holds a BatchNorm.
  static func hasBatchNorm(_ layer: Layer) -> Bool {
    layer is BatchNorm2D
      || ((layer as? Sequential)?.layers.contains(where: hasBatchNorm) ?? false)
      || ((layer as? InvertedResidual).map { hasBatchNorm($0.body) } ?? false)
  }

  /// Throws unless backward can run through `range` as inference computed it.
  func checkDifferentiable(_ range: Range<Int>) throws {
    guard !layers[range].contains(where: GradientPath.hasBatchNorm) else {
      throw VisionError(
        "this model cannot be explained: a batch normalisation lies between its last "
          + "convolution and its output")
    }
  }

  /// The layers in `range` at inference (fused, keeping nothing).
  func infer(_ input: Tensor, _ range: Range<Int>) -> Tensor {
    Sequential(Array(layers[range])).forward(input, mode: .inference)
  }

  func forward(_ input: Tensor, _ range: Range<Int>) -> Tensor {
    layers[range].reduce(input) { $1.forward($0, mode: .training) }
  }

  func backward(_ gradient: Tensor, _ range: Range<Int>) -> Tensor {
    layers[range].reversed().reduce(gradient) { $1.backward($0) }
  }
}

extension Classifier {
  /// The evidence for `classIndex` (default: the predicted class) in one normalised input
  /// `[1, C, H, W]`.
  /// - Throws: `VisionError` for a model that cannot be explained (see the file header).
  public func explain(_ input: Tensor, classIndex: Int? = nil) throws -> Explanation {
    precondition(input.rank == 4 && input.shape[0] == 1, "explain takes one input [1, C, H, W]")
    let path = try GradientPath(network)
    defer { network.zeroGradients() }
    let (height, width) = (input.shape[2], input.shape[3])
    // Grad-CAM explains the output of the last convolution's block: the convolution, its
    // BatchNorm and its activation, as many of them as follow it.
    let lastConvolution = path.layers.lastIndex { $0 is Conv2D }
    var block = lastConvolution
    if var index = lastConvolution {
      if index + 1 < path.layers.count, path.layers[index + 1] is BatchNorm2D { index += 1 }
      let activations: [Layer.Type] = [ReLU.self, ReLU6.self, HardSwish.self]
      if index + 1 < path.layers.count,
        activations.contains(where: { type(of: path.layers[index + 1]) == $0 })
      {
        index += 1
      }
      block = index
    }
    let split = (block ?? -1) + 1
    try path.checkDifferentiable(split..<path.layers.count)
    let features = path.infer(input, 0..<split)
    let logits = path.forward(features, split..<path.layers.count)
    let chosen = classIndex ?? logits.argmaxRows()[0]
    var seed = Tensor(zeros: logits.shape)
    seed.scalars[chosen] = 1  // ∂score/∂logits for the class's logit
    let gradient = path.backward(seed, split..<path.layers.count)
    if block != nil {
      let map = try gradCAM(features: features, gradient: gradient)
      let heat = try map.resized(width: width, height: height)
      return Explanation(classIndex: chosen, heat: normalised(heat), method: .gradCAM)
    }
    // No convolution: the gradient reached the input itself.
    let channels = input.shape[1]
    let area = height * width
    let saliency = (0..<area).map { i in
      (0..<channels).reduce(Float(0)) { max($0, abs(gradient.scalars[$1 * area + i])) }
    }
    let smoothed = boxBlur(saliency, width: width, height: height)
    return Explanation(
      classIndex: chosen,
      heat: normalised(try FloatMap(width: width, height: height, values: smoothed)),
      method: .saliency)
  }

  /// The mean over each pixel's 3×3 neighbourhood (inside the picture): one pixel's large
  /// gradient is noise, a region's is evidence.
  private func boxBlur(_ values: [Float], width: Int, height: Int) -> [Float] {
    var result = values
    for y in 0..<height {
      for x in 0..<width {
        var (sum, count) = (Float(0), Float(0))
        for v in max(y - 1, 0)...min(y + 1, height - 1) {
          for u in max(x - 1, 0)...min(x + 1, width - 1) {
            sum += values[v * width + u]
            count += 1
          }
        }
        result[y * width + x] = sum / count
      }
    }
    return result
  }

  /// ReLU(Σ_k α_k·A_k) with α_k the spatial mean of ∂score/∂A_k: `[1, K, h, w]` → `h × w`.
  private func gradCAM(features: Tensor, gradient: Tensor) throws -> FloatMap {
    let (k, h, w) = (features.shape[1], features.shape[2], features.shape[3])
    let area = h * w
    var map = [Float](repeating: 0, count: area)
    for c in 0..<k {
      let alpha = gradient.scalars[(c * area)..<((c + 1) * area)].reduce(0, +) / Float(area)
      for i in 0..<area { map[i] += alpha * features.scalars[c * area + i] }
    }
    return try FloatMap(width: w, height: h, values: map.map { max($0, 0) })
  }

  /// Scaled so the peak is 1 (all zeros stay zeros).
  private func normalised(_ map: FloatMap) -> FloatMap {
    let peak = map.values.max() ?? 0
    guard peak > 0 else { return map }
    var result = map
    result.values = map.values.map { max($0, 0) / peak }
    return result
  }
}
