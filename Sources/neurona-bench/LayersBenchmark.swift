// `neurona-bench layers`: where a model's inference time goes, layer by layer — each layer of
// the reference model's top-level Sequential timed on its own input (the median of several
// calls after a warm-up), with its share of the sum. Layers run unfused here, so a ReLU that
// inference folds into its convolution shows as its own line.
import Foundation
import Neurona
import NeuronaVision

enum LayersBenchmark {
  static func run(arguments: [String]) throws {
    let model = arguments.first ?? "fashionnet"
    let batch = Int(ModelsBenchmark.value(after: "--batch", in: arguments) ?? "") ?? 1
    if let threads = Int(ModelsBenchmark.value(after: "--threads", in: arguments) ?? "") {
      ComputeThreads.setWorkers(threads)
    }
    var generator = SplitMix64(seed: 1)
    let (network, shape): (Layer, [Int])
    switch model {
    case "fashionnet":
      (network, shape) = (try Classifier(description: .fashionNet(), seed: 1).network, [1, 28, 28])
    case "unet": (network, shape) = (UNet(using: &generator), [3, 256, 256])
    case "person":
      let description = SegmenterDescription(
        architecture: .person, channels: 3, size: 256, layout: .resized)
      (network, shape) = (try description.makeNetwork(using: &generator), [3, 256, 256])
    case "efficientnet":
      let description = ClassifierDescription.efficientNetLite0(
        classNames: (0..<1000).map { "class \($0)" })
      (network, shape) = (try Classifier(description: description, seed: 1).network, [3, 224, 224])
    default: throw BenchmarkError.unknownModel(model)
    }
    // A Sequential inside the top level (EfficientNet's blocks) is opened one level: each of
    // its layers gets a line (a block of several layers runs fused, as at inference); with
    // --blocks, the blocks too (then their residual additions are left out).
    var layers = ((network as? Sequential)?.layers ?? [network]).flatMap {
      ($0 as? Sequential)?.layers ?? [$0]
    }
    if arguments.contains("--blocks") {
      layers = layers.flatMap { ($0 as? InvertedResidual)?.body.layers ?? [$0] }
    }
    var x = Tensor(
      shape: [batch] + shape,
      scalars: (0..<(batch * shape.reduce(1, *))).map { _ in generator.nextUnitFloat() })
    var rows: [(String, Double)] = []
    for layer in layers {
      let input = x
      x = layer.forward(input, mode: .inference)  // warm-up, and the next layer's input
      let time = median(seconds: 0.3) { blackHole(layer.forward(input, mode: .inference)) }
      rows.append(("\(type(of: layer)) \(input.shape) → \(x.shape)", time))
    }
    let total = rows.reduce(0) { $0 + $1.1 }
    let input = Tensor(
      shape: [batch] + shape,
      scalars: (0..<(batch * shape.reduce(1, *))).map { _ in generator.nextUnitFloat() })
    let whole = median(seconds: 0.5) { blackHole(network.forward(input, mode: .inference)) }
    for (name, seconds) in rows {
      print(
        String(
          format: "%9.1f µs  %5.1f %%  %@", seconds * 1e6, 100 * seconds / total, name as NSString))
    }
    print(
      String(
        format: "%9.1f µs  sum, batch %d (%.1f items/s)", total * 1e6, batch,
        Double(batch) / total))
    print(
      String(
        format: "%9.1f µs  the whole model, fused as inference runs it (%.1f items/s)",
        whole * 1e6, Double(batch) / whole))
  }

  /// The median time of `body`, called for about `seconds` (at least five times).
  static func median(seconds: Double, _ body: () -> Void) -> Double {
    var times: [Double] = []
    let deadline = Clock.now + seconds
    repeat {
      let start = Clock.now
      body()
      times.append(Clock.secondsSince(start))
    } while Clock.now < deadline || times.count < 5
    return times.sorted()[times.count / 2]
  }

  enum BenchmarkError: Error, CustomStringConvertible {
    case unknownModel(String)
    var description: String {
      "unknown model '\(message)' (fashionnet, unet, person or efficientnet)"
    }
    private var message: String {
      switch self {
      case .unknownModel(let name): name
      }
    }
  }
}
