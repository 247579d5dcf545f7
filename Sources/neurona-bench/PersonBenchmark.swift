// `neurona-bench person [MODEL]`: frames per second of the person segmenter (MediaPipe's selfie
// model on our core) at 256×256 — one picture per forward pass (what `segment photo.jpg` does),
// a batch of 8 in one pass, and the batch split over two networks on our own threads (one per
// core, each network then single-threaded). The outputs are checked against each other first.
import Foundation
import Neurona
import NeuronaImage
import NeuronaVision

/// The person segmenter benchmark (see the file header).
enum PersonBenchmark {
  static func run(arguments: [String]) throws {
    let path = arguments.first ?? "Models/person.safetensors"
    let segmenter = try Segmenter.load(path)
    let twin = try Segmenter.load(path)
    let batch = 8
    // Real pictures: the sample photos resized to 256×256 (random noise would give the gates
    // unrealistic work), repeated to fill the batch.
    var planes: [Float] = []
    let photos = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg"]
    for i in 0..<batch {
      let image = try Image.read(contentsOf: "SampleImages/\(photos[i % photos.count])")
      planes += try image.converted(toChannels: 3).resized(width: 256, height: 256).floatPlanes()
    }
    let input = Tensor(shape: [batch, 3, 256, 256], scalars: planes)
    let single = input.slice(0..<1)

    // Check: a batch gives each picture's single result; the twin network agrees.
    let batched = segmenter.network(input)
    let first = segmenter.network(single)
    let halves = twoThreads(segmenter, twin, input)
    guard batched.slice(0..<1).maxAbsDifference(first) < 1e-3,
      halves.maxAbsDifference(batched) < 1e-3, batched.isFinite
    else {
      print("person: CHECK FAILED: batched, single and two-thread outputs differ")
      return
    }

    var sink: Float = 0
    func framesPerSecond(_ frames: Int, seconds: Double = 3, _ body: () -> Tensor) -> Double {
      sink += body().scalars[0]  // warm-up: workspaces, caches
      let start = Date()
      var runs = 0
      while Date().timeIntervalSince(start) < seconds {
        sink += body().scalars[0]
        runs += 1
      }
      return Double(runs * frames) / Date().timeIntervalSince(start)
    }
    print(
      "person segmenter 256×256, \(segmenter.network.parameterCount) parameters, "
        + "\(ComputeThreads.cores) cores, OpenBLAS \(ComputeThreads.blasCoreName), \(ComputeThreads.workers) workers:"
    )
    let one = framesPerSecond(1) { segmenter.network(single) }
    print(
      String(
        format: "  batch 1:                       %6.1f frames/s (%.2f ms/frame)", one, 1000 / one))
    let eight = framesPerSecond(batch) { segmenter.network(input) }
    print(String(format: "  batch %d, one pass:             %6.1f frames/s", batch, eight))
    let split = framesPerSecond(batch) { twoThreads(segmenter, twin, input) }
    print(String(format: "  batch %d, two networks/threads: %6.1f frames/s", batch, split))
    if sink.isNaN { print("(NaN)") }
  }

  /// The batch's two halves through two networks at once, one thread each.
  static func twoThreads(_ a: Segmenter, _ b: Segmenter, _ input: Tensor) -> Tensor {
    let half = input.shape[0] / 2
    var outputs = [Tensor](repeating: Tensor(zeros: [0]), count: 2)
    let parts = [input.slice(0..<half), input.slice(half..<input.shape[0])]
    outputs.withUnsafeMutableBufferPointer { results in
      ComputeThreads.parallel(2) { i in
        results[i] = (i == 0 ? a : b).network(parts[i])
      }
    }
    var shape = outputs[0].shape
    shape[0] = input.shape[0]
    return Tensor(shape: shape, scalars: outputs[0].scalars + outputs[1].scalars)
  }
}
