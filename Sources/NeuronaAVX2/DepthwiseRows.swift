// The depthwise convolution's inner loop for AVX2/FMA: one output row as the sum of the
// kH·kW taps, each a weight times a contiguous run of (phase-split, zero-padded) input, then
// the activation and an optional residual added while the row is still in registers. Compiled
// for Haswell, this is 8-wide FMA instead of the baseline's pairs of 4-wide SSE multiply-adds,
// and the activation costs no second pass over memory. The caller (Neurona's DepthwiseConv2D)
// prepares the input planes and the tap offsets; it calls here only after
// `CPUFeatures.hasAVX2AndFMA`.

/// One depthwise output row with its epilogue (see the file header).
public enum DepthwiseRows {
  /// `rows` output rows, row r at `output + r·outputStride`:
  /// out[r][ox] = act(bias + Σ_t taps[t] · top[r·topStride + offsets[t] + ox]) (+ residual at
  /// the same place as out, when given), for ox < width. Reads the input only at those places.
  @inline(never)
  public static func convolve(
    into output: UnsafeMutablePointer<Float>, outputStride: Int, rows: Int, width: Int,
    bias: Float, taps: UnsafePointer<Float>, offsets: UnsafePointer<Int>, count: Int,
    top: UnsafePointer<Float>, topStride: Int, activation: RowActivation,
    residual: UnsafePointer<Float>?
  ) {
    let plan = Plan(
      output: output, outputStride: outputStride, rows: rows, width: width, bias: bias,
      taps: taps, offsets: offsets, count: count, top: top, topStride: topStride,
      residual: residual)
    switch activation {
    case .none: plan.run { $0 }
    case .relu: plan.run { RowActivation.relu($0) }
    case .hardSwish: plan.run { RowActivation.hardSwish($0) }
    }
  }

  /// One call's geometry. The whole vectors of all rows are taken four at a time, so that four
  /// independent sums hide the FMA latency even when a row is only two vectors wide (the
  /// 16-pixel rows of the deepest blocks); each row's partial last vector goes alone.
  struct Plan {
    let output: UnsafeMutablePointer<Float>, outputStride: Int, rows: Int, width: Int
    let bias: Float, taps: UnsafePointer<Float>, offsets: UnsafePointer<Int>, count: Int
    let top: UnsafePointer<Float>, topStride: Int, residual: UnsafePointer<Float>?

    @inline(__always)
    func run(_ activate: (SIMD8<Float>) -> SIMD8<Float>) {
      typealias Lanes = SIMD8<Float>
      @inline(__always) func finish(_ v: Lanes, _ at: Int, lanes: Int = 8) {
        var v = activate(v)
        if let residual { v += load8(residual + at, lanes: lanes) }
        store8(v, output + at, lanes: lanes)
      }
      // Vector p is row p / perRow, columns 8·(p % perRow) ..< +8.
      let perRow = width / 8
      let vectors = rows * perRow
      @inline(__always) func place(_ p: Int) -> (input: Int, output: Int) {
        let (r, column) = (p / perRow, 8 * (p % perRow))
        return (r * topStride + column, r * outputStride + column)
      }
      var p = 0
      while p + 4 <= vectors {
        let (p0, p1, p2, p3) = (place(p), place(p + 1), place(p + 2), place(p + 3))
        var (a, b, c, d) = (
          Lanes(repeating: bias), Lanes(repeating: bias), Lanes(repeating: bias),
          Lanes(repeating: bias)
        )
        for t in 0..<count {
          let from = top + offsets[t]
          let tap = Lanes(repeating: taps[t])
          a = a.addingProduct(tap, load8(from + p0.input))
          b = b.addingProduct(tap, load8(from + p1.input))
          c = c.addingProduct(tap, load8(from + p2.input))
          d = d.addingProduct(tap, load8(from + p3.input))
        }
        finish(a, p0.output)
        finish(b, p1.output)
        finish(c, p2.output)
        finish(d, p3.output)
        p += 4
      }
      while p < vectors {
        let at = place(p)
        var total = Lanes(repeating: bias)
        for t in 0..<count {
          total = total.addingProduct(Lanes(repeating: taps[t]), load8(top + offsets[t] + at.input))
        }
        finish(total, at.output)
        p += 1
      }
      let lanes = width - 8 * perRow
      guard lanes > 0 else { return }
      for r in 0..<rows {
        let (input, at) = (r * topStride + 8 * perRow, r * outputStride + 8 * perRow)
        var total = Lanes(repeating: bias)
        for t in 0..<count {
          total = total.addingProduct(
            Lanes(repeating: taps[t]), load8(top + offsets[t] + input, lanes: lanes))
        }
        finish(total, at, lanes: lanes)
      }
    }
  }
}
