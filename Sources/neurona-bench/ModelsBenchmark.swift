// `neurona-bench models`: whole-model throughput of the reference models: UNetSmall and
// FashionNet inference and training steps, the person segmenter's inference, in images (or
// samples) per second — the median of several timed runs after a warm-up. The peer figures
// printed beside them are fixed numbers, for orientation only: PyTorch 2.15 eager and
// onnxruntime 1.32 on 2 threads, measured once on an AMD Zen 4 of this project's machine
// kind (2026-11-29). `make bench-peers` measures both sides in the same run.
import Foundation
import Neurona
import NeuronaVision

enum ModelsBenchmark {
  /// One measured workload.
  struct Workload {
    var key: String
    var itemsPerCall: Int
    /// The peer's figure on this machine at 2 threads, and who it is.
    var peer: (name: String, rate: Double)?
    var run: () -> Void
  }

  static func run(arguments: [String]) throws {
    let json = arguments.contains("--format") && arguments.contains("json")
    let seconds = Double(value(after: "--seconds", in: arguments) ?? "") ?? 2
    if let threads = Int(value(after: "--threads", in: arguments) ?? "") {
      ComputeThreads.setWorkers(threads)
    }
    let only = value(after: "--only", in: arguments)
    var results: [String: Double] = [:]
    var lines: [String] = []
    for workload in try workloads(only: only) {
      workload.run()  // warm-up: workspaces sized, caches filled
      var rates: [Double] = []
      let deadline = Clock.now + seconds
      repeat {
        let start = Clock.now
        workload.run()
        rates.append(Double(workload.itemsPerCall) / Clock.secondsSince(start))
      } while Clock.now < deadline || rates.count < 3
      let median = rates.sorted()[rates.count / 2]
      results[workload.key] = median
      var line = String(
        format: "%-24@ %10.1f /s  (%d runs)", workload.key as NSString, median, rates.count)
      if let peer = workload.peer {
        line += String(
          format: "   %@ %.1f /s → ratio %.2f", peer.name, peer.rate, median / peer.rate)
      }
      lines.append(line)
      if !json { print(line) }
    }
    if json {
      let data = try JSONSerialization.data(
        withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    }
  }

  static func value(after flag: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else {
      return nil
    }
    return arguments[index + 1]
  }

  /// The workloads whose key contains `only` (all when nil). Only their networks are built:
  /// a network that is not measured would still change where the measured one's buffers land.
  static func workloads(only: String?) throws -> [Workload] {
    var generator = SplitMix64(seed: 1)
    let models = ["unet", "fashionnet", "efficientnet", "person"]
    // `--only unet_infer` builds the U-Net alone; `--only infer` (no model named) builds all.
    let wanted = { (model: String) -> Bool in
      guard let only, models.contains(where: { only.contains($0) }) else { return true }
      return only.contains(model)
    }
    var list: [Workload] = []
    func inference(_ key: String, _ network: Layer, _ shape: [Int], peer: (String, Double)?) {
      let input = Tensor(
        shape: shape, scalars: (0..<Tensor.count(of: shape)).map { _ in generator.nextUnitFloat() })
      // As the commands run it: shared between the cores or not, as measured.
      let sharing = SharingChoice()
      list.append(
        Workload(key: key, itemsPerCall: shape[0], peer: peer) {
          blackHole(sharing.infer(network, input))
        })
    }
    func training(
      _ key: String, _ network: Layer, _ loss: Loss, _ input: [Int], _ target: Tensor,
      peer: (String, Double)?
    ) {
      let x = Tensor(
        shape: input, scalars: (0..<Tensor.count(of: input)).map { _ in generator.nextUnitFloat() })
      let trainer = Trainer(model: network, loss: loss, optimizer: Adam())
      list.append(
        Workload(key: key, itemsPerCall: input[0], peer: peer) {
          blackHole(trainer.step(input: x, target: target).loss)
        })
    }
    if wanted("unet") {
      let unet = UNet(using: &generator)
      inference("unet_infer_bs1", unet, [1, 3, 256, 256], peer: ("onnxruntime", 32.7))
      inference("unet_infer_bs8", unet, [8, 3, 256, 256], peer: ("onnxruntime", 31.3))
      training(
        "unet_train_bs8", unet, BinaryCrossEntropy(), [8, 3, 256, 256],
        Tensor(
          shape: [8, 1, 256, 256], scalars: (0..<(8 * 65536)).map { Float($0 % 3 == 0 ? 1 : 0) }),
        peer: ("PyTorch", 4.9))
    }
    if wanted("fashionnet") {
      let fashion = try Classifier(description: .fashionNet(), seed: 1).network
      inference("fashionnet_infer_bs1", fashion, [1, 1, 28, 28], peer: ("onnxruntime", 15_069))
      inference("fashionnet_infer_bs256", fashion, [256, 1, 28, 28], peer: ("onnxruntime", 21_952))
      training(
        "fashionnet_train_bs64", fashion, SoftmaxCrossEntropy(), [64, 1, 28, 28],
        Tensor(shape: [64], scalars: (0..<64).map { Float($0 % 10) }), peer: ("PyTorch", 2_607))
    }
    if wanted("efficientnet") {
      let imagenet = try Classifier(
        description: .efficientNetLite0(classNames: (0..<1000).map { "class \($0)" }), seed: 1
      ).network
      inference("efficientnet_infer_bs1", imagenet, [1, 3, 224, 224], peer: nil)
      inference("efficientnet_infer_bs32", imagenet, [32, 3, 224, 224], peer: nil)
    }
    let personDescription = SegmenterDescription(
      architecture: .person, channels: 3, size: 256, layout: .resized)
    if wanted("person"), let person = try? personDescription.makeNetwork(using: &generator) {
      inference("person_infer_bs1", person, [1, 3, 256, 256], peer: nil)
    }
    return list.filter { workload in only.map { workload.key.contains($0) } ?? true }
  }
}

/// Keeps a result alive so the optimiser cannot drop the work that made it.
@inline(never)
func blackHole<T>(_ value: T) {
  withExtendedLifetime(value) {}
}
