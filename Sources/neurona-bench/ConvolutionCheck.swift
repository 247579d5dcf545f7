// The check the convolution benchmark runs before timing: a Conv2D's forward output, weight
// gradient and input gradient against direct sums, so a fast wrong kernel is never reported.
import Neurona

/// Direct (slow) checks of Conv2D results.
enum ConvolutionCheck {
  /// Relative error allowed: float32 sums of up to ~10⁶ terms against Double references.
  static let tolerance = 2e-3

  /// nil when forward and backward agree with direct computation, else what differs.
  static func verify(_ layer: Conv2D, input: Tensor, outputGradient dy: Tensor) -> String? {
    let g = layer.geometry(forInput: input.shape)
    let (n, o) = (input.shape[0], layer.outputChannels)
    let w = layer.weight.value
    let b = layer.bias?.value.scalars ?? [Float](repeating: 0, count: o)
    layer.zeroGradients()
    let y = layer.forward(input, mode: .training)
    let dx = layer.backward(dy)
    // Forward at a few points: y[n, o, i, j] = b[o] + Σ_{c, u, v} w[o, c, u, v]·x[n, c, ·, ·].
    for sample in 0..<8 {
      let (image, channel) = (sample * 7 % n, sample * 5 % o)
      let (i, j) = (sample * 3 % g.outputHeight, sample * 11 % g.outputWidth)
      var total = Double(b[channel])
      forEachTap(g, i, j) { c, u, v, yy, xx in
        total += Double(w[channel, c, u, v]) * Double(input[image, c, yy, xx])
      }
      let actual = Double(y[image, channel, i, j])
      if !close(actual, total) {
        return "y[\(image), \(channel), \(i), \(j)] \(actual) vs \(total)"
      }
    }
    // ∂W at a few points: Σ_{n, i, j} ∂y[n, o, i, j]·x[n, c, i·s − top + u, j·s − left + v].
    let dw = layer.weight.gradient
    for sample in 0..<4 {
      let (channel, c) = (sample * 5 % o, sample * 3 % g.channels)
      let (u, v) = (sample % g.kernelHeight, (sample + 1) % g.kernelWidth)
      var total = 0.0
      for image in 0..<n {
        for i in 0..<g.outputHeight {
          for j in 0..<g.outputWidth {
            let (yy, xx) = (i * g.stride - g.padTop + u, j * g.stride - g.padLeft + v)
            guard yy >= 0, yy < g.height, xx >= 0, xx < g.width else { continue }
            total += Double(dy[image, channel, i, j]) * Double(input[image, c, yy, xx])
          }
        }
      }
      let actual = Double(dw[channel, c, u, v])
      if !close(actual, total) { return "∂w[\(channel), \(c), \(u), \(v)] \(actual) vs \(total)" }
    }
    // ∂x as the adjoint of the bias-free convolution: ⟨∂x, r⟩ = ⟨∂y, conv(r) − b⟩.
    let r = input.map { $0 * 0.5 + 0.25 }
    let convolved = layer.forward(r, mode: .inference)
    var right = 0.0
    for index in 0..<convolved.count {
      let channel = (index / g.outputArea) % o
      right += Double(dy.scalars[index]) * Double(convolved.scalars[index] - b[channel])
    }
    let left = zip(dx.scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    if !close(left, right) { return "⟨∂x, r⟩ \(left) vs ⟨∂y, conv r⟩ \(right)" }
    return nil
  }

  /// Calls `body(c, u, v, y, x)` for each kernel tap of output (i, j) that falls in the image.
  static func forEachTap(
    _ g: ConvolutionGeometry, _ i: Int, _ j: Int, _ body: (Int, Int, Int, Int, Int) -> Void
  ) {
    for c in 0..<g.channels {
      for u in 0..<g.kernelHeight {
        for v in 0..<g.kernelWidth {
          let (y, x) = (i * g.stride - g.padTop + u, j * g.stride - g.padLeft + v)
          if y >= 0, y < g.height, x >= 0, x < g.width { body(c, u, v, y, x) }
        }
      }
    }
  }

  static func close(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
  }
}
