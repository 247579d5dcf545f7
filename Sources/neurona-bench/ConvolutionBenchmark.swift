import Neurona

// `neurona-bench conv`: Conv2D forward and forward+backward GFLOP/s on the reference models'
// convolution shapes (FashionNet's and UNetSmall's, Sources/NeuronaVision/Networks), next to raw GEMM.multiply GFLOP/s on exactly the sgemm
// shapes the layer issues, measured in the same run; the ratio is the layer's efficiency.
// "whole" is a stricter reference for forward+backward: sgemm on the whole batch's im2col
// product in one call each ([O, K] × [K, N·P] and the two of backward), the shape of the
// textbook lowering (e.g. 64×576×65536), whatever tiles the layer chooses.
// Every layer result is checked against a direct computation before it is timed.
//
// FLOPs: forward 2·N·O·K·P (K = C·k·k, P = H'·W'); backward twice that (∂W and ∂x).
#if canImport(Glibc)
  import Glibc
#endif

/// The convolution benchmark (see the file header).
enum ConvolutionBenchmark {
  /// One convolution of a reference model.
  struct Case {
    var model: String
    var batch, inputChannels, outputChannels, size, kernel, padding: Int
    var label: String {
      "\(model) n\(batch) \(inputChannels)→\(outputChannels) \(kernel)×\(kernel) @\(size)²"
    }
  }

  /// FashionNet's two convolutions at batch 64 (the training batch) and 256 (inference).
  static func fashionCases(batch: Int) -> [Case] {
    [
      Case(
        model: "FashionNet", batch: batch, inputChannels: 1, outputChannels: 32, size: 28,
        kernel: 3, padding: 1),
      Case(
        model: "FashionNet", batch: batch, inputChannels: 32, outputChannels: 64, size: 14,
        kernel: 3, padding: 1),
    ]
  }

  /// The distinct 3×3 convolutions of UNetSmall on 256×256 (encoder, bottleneck, decoder
  /// after the concat) and its final 1×1.
  static func unetCases(batch: Int) -> [Case] {
    let shapes: [(Int, Int, Int)] = [
      (3, 16, 256), (16, 16, 256), (16, 32, 128), (32, 32, 128), (32, 64, 64), (64, 64, 64),
      (64, 128, 32), (128, 128, 32), (128, 256, 16), (256, 256, 16),
      (256, 128, 32), (128, 64, 64), (64, 32, 128), (32, 16, 256),
    ]
    return shapes.map {
      Case(
        model: "UNetSmall", batch: batch, inputChannels: $0.0, outputChannels: $0.1,
        size: $0.2, kernel: 3, padding: 1)
    } + [
      Case(
        model: "UNetSmall", batch: batch, inputChannels: 16, outputChannels: 1, size: 256,
        kernel: 1, padding: 0)
    ]
  }

  static let usage = """
    usage: neurona-bench conv [fashion] [fashion256] [unet1] [unet8] [--seconds S] [--only TEXT]
                              [--column-budget FLOATS] [--min-columns N] [--serial-tiles]
                              [--fastest] [--cpu-time]
      default: fashion unet1 unet8; --only keeps shapes whose label contains TEXT;
      the next three override Conv2D's tiling (--serial-tiles: one tile after another with
      multithreaded BLAS instead of tiles shared between the cores); --cpu-time times with
      the process's CPU time instead of the wall clock (for tuning with OPENBLAS_NUM_THREADS=1
      on a busy machine, where it counts only our own work); --fastest reports the fastest
      call of each kind instead of the median (the least disturbed one on a shared machine).
    """

  nonisolated(unsafe) static var useCPUTime = false
  nonisolated(unsafe) static var useFastest = false

  /// Seconds on the chosen clock.
  static var now: Double {
    guard useCPUTime else { return Clock.now }
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
  }

  /// Overrides of Conv2D's tiling knobs (nil: the layer's defaults).
  nonisolated(unsafe) static var tuning:
    (columnBudget: Int?, minimumColumns: Int?, parallelTiles: Bool) =
      (nil, nil, true)

  static func run(arguments: [String]) {
    #if NEURONA_CHECKS
      print("warning: built with -DNEURONA_CHECKS; figures are not representative")
    #endif
    var seconds = 0.5
    var sets = Set(["fashion", "unet1", "unet8"])
    var iterator = arguments.makeIterator()
    var chosen: Set<String> = []
    var filter: String?
    while let argument = iterator.next() {
      if argument == "--seconds", let value = iterator.next().flatMap(Double.init) {
        seconds = value
      } else if argument == "--column-budget", let value = iterator.next().flatMap(Int.init) {
        tuning.columnBudget = value
      } else if argument == "--min-columns", let value = iterator.next().flatMap(Int.init) {
        tuning.minimumColumns = value
      } else if argument == "--serial-tiles" {
        tuning.parallelTiles = false
      } else if argument == "--fastest" {
        useFastest = true
      } else if argument == "--cpu-time" {
        useCPUTime = true
      } else if argument == "--only", let value = iterator.next() {
        filter = value
      } else if ["fashion", "fashion256", "unet1", "unet8"].contains(argument) {
        chosen.insert(argument)
      } else {
        print(usage)
        return
      }
    }
    if !chosen.isEmpty { sets = chosen }
    var cases: [Case] = []
    if sets.contains("fashion") { cases += fashionCases(batch: 64) }
    if sets.contains("fashion256") { cases += fashionCases(batch: 256) }
    if sets.contains("unet1") { cases += unetCases(batch: 1) }
    if sets.contains("unet8") { cases += unetCases(batch: 8) }
    if let filter { cases = cases.filter { $0.label.contains(filter) } }
    print(
      "OpenBLAS core \(ComputeThreads.blasCoreName), \(ComputeThreads.workers) threads; "
        + "≥ \(seconds) s per figure; \(useFastest ? "fastest calls" : "medians")"
        + "\(useCPUTime ? " of CPU time" : ""); conv and sgemm calls alternate")
    print(
      pad("shape", 36) + pad("fwd", 8) + pad("sgemm", 8) + pad("ratio", 7) + pad("fwd+bwd", 9)
        + pad("sgemm", 8) + pad("ratio", 7) + pad("whole", 8) + pad("ratio", 7) + "  (GFLOP/s)")
    var totals = Totals()
    for item in cases {
      guard let result = measure(item, seconds: seconds) else { return }
      totals.add(result)
      print(
        pad(item.label, 36) + pad(f(result.forwardRate), 8) + pad(f(result.gemmForwardRate), 8)
          + pad(p(result.forwardRate / result.gemmForwardRate), 7) + pad(f(result.trainingRate), 9)
          + pad(f(result.gemmTrainingRate), 8)
          + pad(p(result.trainingRate / result.gemmTrainingRate), 7)
          + pad(f(result.wholeTrainingRate), 8)
          + pad(p(result.trainingRate / result.wholeTrainingRate), 7))
    }
    print(
      "all shapes, time-weighted: forward \(p(totals.gemmForward / totals.forward)) of sgemm, "
        + "forward+backward \(p(totals.gemmTraining / totals.training)) of sgemm, "
        + "\(p(totals.wholeTraining / totals.training)) of whole-batch sgemm")
  }
}

// MARK: - Measuring one case

extension ConvolutionBenchmark {
  /// The rates of one case (GFLOP/s) and its times (seconds per call).
  struct Result {
    var flops: Double
    var forward, training, gemmForward, gemmTraining, wholeTraining: Double
    var forwardRate: Double { flops / forward / 1e9 }
    var trainingRate: Double { 3 * flops / training / 1e9 }
    var gemmForwardRate: Double { flops / gemmForward / 1e9 }
    var gemmTrainingRate: Double { 3 * flops / gemmTraining / 1e9 }
    var wholeTrainingRate: Double { 3 * flops / wholeTraining / 1e9 }
  }

  /// Sums of times over cases.
  struct Totals {
    var forward = 0.0, training = 0.0, gemmForward = 0.0, gemmTraining = 0.0
    var wholeTraining = 0.0
    mutating func add(_ r: Result) {
      wholeTraining += r.wholeTraining
      forward += r.forward
      training += r.training
      gemmForward += r.gemmForward
      gemmTraining += r.gemmTraining
    }
  }

  static func measure(_ item: Case, seconds: Double) -> Result? {
    var generator = SplitMix64(seed: 2024)
    let layer = Conv2D(
      item.inputChannels, item.outputChannels, kernelSize: item.kernel,
      padding: .symmetric(item.padding), using: &generator)
    if let budget = tuning.columnBudget { layer.columnBudget = budget }
    if let columns = tuning.minimumColumns { layer.minimumColumnsPerGEMM = columns }
    layer.parallelTiles = tuning.parallelTiles
    let inputShape = [item.batch, item.inputChannels, item.size, item.size]
    let input = randomInput(inputShape, using: &generator)
    let g = layer.geometry(forInput: inputShape)
    let outputGradient = randomInput(
      [item.batch, item.outputChannels, g.outputHeight, g.outputWidth], using: &generator)
    if let problem = ConvolutionCheck.verify(layer, input: input, outputGradient: outputGradient) {
      print("\(item.label): CHECK FAILED: \(problem)")
      return nil
    }
    var sink: Float = 0
    let gemm = GEMMReplay(layer: layer, geometry: g, batch: item.batch)
    let (forward, gemmForward) = pairedMedians(seconds) {
      sink += layer.forward(input, mode: .inference).scalars[0]
    } _: {
      gemm.forward()
    }
    let whole = WholeBatchGEMM(layer: layer, geometry: g, batch: item.batch)
    let trainingTimes = alternating(
      seconds,
      [
        {
          sink += layer.forward(input, mode: .training).scalars[0]
          sink += layer.backward(outputGradient).scalars[0]
        },
        {
          gemm.forward()
          gemm.backward()
        },
        { whole.run() },
      ])
    let (training, gemmTraining, wholeTraining) = (
      trainingTimes[0], trainingTimes[1], trainingTimes[2]
    )
    if sink.isNaN { print("(result was NaN)") }
    let flops = 2 * Double(item.batch * item.outputChannels * g.patchSize * g.outputArea)
    return Result(
      flops: flops, forward: forward, training: training, gemmForward: gemmForward,
      gemmTraining: gemmTraining, wholeTraining: wholeTraining)
  }

  static func randomInput(_ shape: [Int], using generator: inout SplitMix64) -> Tensor {
    Tensor(
      shape: shape,
      scalars: (0..<Tensor.count(of: shape)).map { _ in
        generator.nextUnitFloat() * 2 - 1
      })
  }

  /// The median seconds per call of `a` and of `b` (see `alternating`).
  static func pairedMedians(_ seconds: Double, _ a: @escaping () -> Void, _ b: @escaping () -> Void)
    -> (Double, Double)
  {
    let times = alternating(seconds, [a, b])
    return (times[0], times[1])
  }

  /// The median (or with `--fastest`, the least) seconds per call of each of `bodies`, after
  /// a warm-up call of each, over at least 5 calls each and `seconds` in all. Calls take
  /// turns, so a change in the load of the (shared) machine hits all alike and their ratios
  /// stay meaningful.
  static func alternating(_ seconds: Double, _ bodies: [() -> Void]) -> [Double] {
    for body in bodies { body() }
    var times = [[Double]](repeating: [], count: bodies.count)
    let start = now
    while times[0].count < 5 || now - start < seconds {
      for (index, body) in bodies.enumerated() {
        let t = now
        body()
        times[index].append(now - t)
      }
    }
    return times.map { list in
      let sorted = list.sorted()
      return useFastest ? sorted[0] : sorted[sorted.count / 2]
    }
  }

  static func f(_ x: Double) -> String {
    let rounded = (x * 10).rounded() / 10
    return "\(rounded)"
  }

  static func p(_ x: Double) -> String { "\(Int((x * 100).rounded()))%" }

  static func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
  }
}

/// The sgemm calls a Conv2D issues for one batch (one per tile forward, two per tile
/// backward), replayed with the same shapes and strides on buffers of the same sizes, one
/// after another with OpenBLAS's own threading (the layer may share them between cores).
final class GEMMReplay {
  let o, k, p: Int
  let tiles: [(width: Int, grouped: Bool)]
  let weight, columns, output: [Float]
  var outputBuffer, columnBuffer, weightBuffer: [Float]

  init(layer: Conv2D, geometry g: ConvolutionGeometry, batch: Int) {
    (o, k, p) = (layer.outputChannels, g.patchSize, g.outputArea)
    tiles = layer.tiles(batch: batch, geometry: g, workers: ComputeThreads.workers).map {
      ($0.width(g), $0.count > 1)
    }
    let widest = tiles.map(\.width).max() ?? 0
    weight = layer.weight.value.scalars
    columns = (0..<(k * widest)).map { Float($0 % 7) * 0.1 }
    output = [Float](repeating: 0.5, count: o * max(widest, p))
    outputBuffer = output
    columnBuffer = columns
    weightBuffer = [Float](repeating: 0, count: o * k)
  }

  /// [O, K] × [K, width] per tile (into rows of stride P when the tile is one image).
  func forward() {
    for tile in tiles {
      GEMM.multiply(
        weight, columns, into: &outputBuffer, m: o, n: tile.width, k: k,
        rowStrideC: tile.grouped ? tile.width : p)
    }
  }

  /// [O, width] × [width, K] and [K, O] × [O, width] per tile.
  func backward() {
    for tile in tiles {
      let stride = tile.grouped ? tile.width : p
      GEMM.multiply(
        output, columns, transposeB: true, into: &weightBuffer, m: o, n: k, k: tile.width,
        beta: 1, rowStrideA: stride)
      GEMM.multiply(
        weight, transposeA: true, output, into: &columnBuffer, m: k, n: tile.width, k: o,
        rowStrideB: stride)
    }
  }
}

/// Forward and backward's products for the whole batch, one sgemm each:
/// [O, K] × [K, N·P], [O, N·P] × [N·P, K] and [K, O] × [O, N·P].
final class WholeBatchGEMM {
  let o, k, columns: Int
  let weight, input, gradient: [Float]
  var output, weightGradient, inputGradient: [Float]

  init(layer: Conv2D, geometry g: ConvolutionGeometry, batch: Int) {
    (o, k, columns) = (layer.outputChannels, g.patchSize, batch * g.outputArea)
    weight = layer.weight.value.scalars
    input = (0..<(k * columns)).map { Float($0 % 5) * 0.1 }
    gradient = [Float](repeating: 0.25, count: o * columns)
    output = gradient
    weightGradient = weight
    inputGradient = input
  }

  func run() {
    GEMM.multiply(weight, input, into: &output, m: o, n: columns, k: k)
    GEMM.multiply(
      gradient, input, transposeB: true, into: &weightGradient, m: o, n: k, k: columns, beta: 1)
    GEMM.multiply(weight, transposeA: true, gradient, into: &inputGradient, m: k, n: columns, k: o)
  }
}
