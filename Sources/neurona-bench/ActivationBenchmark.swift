// `neurona-bench relu`: ReLU forward+backward on FashionNet's first activation ([64, 32, 28,
// 28]) next to the floor for that work: two plain passes (max(x, 0), then the masked
// gradient) written inline, in the same run. Each result is checked against them first.
import Neurona

/// The ReLU benchmark (see the file header).
enum ActivationBenchmark {
  static func run(arguments: [String]) {
    var generator = SplitMix64(seed: 1)
    let shape = [64, 32, 28, 28]
    let input = ConvolutionBenchmark.randomInput(shape, using: &generator)
    let gradient = ConvolutionBenchmark.randomInput(shape, using: &generator)
    let layer = ReLU()
    let reference = plainPasses(input, gradient)
    guard layer.forward(input, mode: .training) == reference.0,
      layer.backward(gradient) == reference.1
    else {
      print("relu: CHECK FAILED: ReLU differs from max(x, 0)")
      return
    }
    var sink: Float = 0
    let (layerTime, plainTime) = ConvolutionBenchmark.pairedMedians(0.5) {
      sink += layer.forward(input, mode: .training).scalars[0]
      sink += layer.backward(gradient).scalars[1]
    } _: {
      let (y, dx) = plainPasses(input, gradient)
      sink += y.scalars[0] + dx.scalars[1]
    }
    print("ReLU forward+backward on \(shape) (\(input.count * 4 / 1_000_000) MB per tensor):")
    print("  ReLU layer \(ms(layerTime)) ms, two plain loops \(ms(plainTime)) ms")
    if sink.isNaN { print("(NaN)") }
  }

  /// max(x, 0) and g·[x > 0], each one pass over fresh memory.
  static func plainPasses(_ x: Tensor, _ g: Tensor) -> (Tensor, Tensor) {
    let n = x.count
    let y = Tensor(
      shape: x.shape,
      scalars: [Float](unsafeUninitializedCapacity: n) { b, count in
        let out = b.baseAddress!
        x.withUnsafeBufferPointer { x in
          let source = x.baseAddress!
          for i in 0..<n { out[i] = source[i] > 0 ? source[i] : 0 }
        }
        count = n
      })
    let dx = Tensor(
      shape: x.shape,
      scalars: [Float](unsafeUninitializedCapacity: n) { b, count in
        let out = b.baseAddress!
        y.withUnsafeBufferPointer { y in
          g.withUnsafeBufferPointer { g in
            let (mask, source) = (y.baseAddress!, g.baseAddress!)
            for i in 0..<n {
              let (y, g) = (mask[i], source[i])
              out[i] = y > 0 ? g : 0
            }
          }
        }
        count = n
      })
    return (y, dx)
  }

  static func ms(_ seconds: Double) -> String { "\((seconds * 1e4).rounded() / 10)" }
}
