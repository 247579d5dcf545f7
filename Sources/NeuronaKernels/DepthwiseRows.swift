// The depthwise convolution's inner loop: one output row as the sum of the kH·kW taps, each
// a weight times a contiguous run of (phase-split, zero-padded) input, then the activation
// and an optional residual added while the row is still in registers. Generic over the
// vector and instantiated by NeuronaAVX2 (8-wide FMA instead of the baseline's pairs of
// 4-wide SSE multiply-adds) and NeuronaAVX512 (16-wide); the activation costs no second pass
// over memory. The caller (Neurona's DepthwiseConv2D) prepares the input planes and the tap
// offsets, and calls the instance of the instruction set CPUFeatures allows.

/// One depthwise output row with its epilogue (see the file header).
public enum DepthwiseRows {
  /// `rows` output rows, row r at `output + r·outputStride`:
  /// out[r][ox] = act(bias + Σ_t taps[t] · top[r·topStride + offsets[t] + ox]) (+ residual at
  /// the same place as out, when given; not `output` itself, which holds the bare sums
  /// before the residual is read), for ox < width, in vectors `V`. Reads the input only at
  /// those places.
  @inlinable
  public static func convolve<V: KernelVector>(
    _: V.Type, into output: UnsafeMutablePointer<Float>, outputStride: Int, rows: Int,
    width: Int, bias: Float, taps: UnsafePointer<Float>, offsets: UnsafePointer<Int>,
    count: Int, top: UnsafePointer<Float>, topStride: Int, activation: RowActivation,
    residual: UnsafePointer<Float>?
  ) {
    let plan = Plan(
      output: output, outputStride: outputStride, rows: rows, width: width, bias: bias,
      taps: taps, offsets: offsets, count: count, top: top, topStride: topStride,
      residual: residual)
    switch activation {
    case .none: plan.run(V.self, Identity.self)
    case .relu: plan.run(V.self, Rectifier.self)
    case .hardSwish: plan.run(V.self, HardSwishing.self)
    case .relu6: plan.run(V.self, ClampedRectifier.self)
    }
  }

  /// One call's geometry. Each row's whole vectors are taken eight at a time while eight are
  /// left in it, the rest four at a time across rows, so that independent sums hide the FMA
  /// latency even when a row is only two vectors wide (the 16-pixel rows of the deepest blocks
  /// in eight lanes); each row's partial last vector goes alone.
  @usableFromInline
  struct Plan {
    @usableFromInline let output: UnsafeMutablePointer<Float>
    @usableFromInline let outputStride, rows, width: Int
    @usableFromInline let bias: Float
    @usableFromInline let taps: UnsafePointer<Float>
    @usableFromInline let offsets: UnsafePointer<Int>
    @usableFromInline let count: Int
    @usableFromInline let top: UnsafePointer<Float>
    @usableFromInline let topStride: Int
    @usableFromInline let residual: UnsafePointer<Float>?

    @inlinable
    init(
      output: UnsafeMutablePointer<Float>, outputStride: Int, rows: Int, width: Int,
      bias: Float, taps: UnsafePointer<Float>, offsets: UnsafePointer<Int>, count: Int,
      top: UnsafePointer<Float>, topStride: Int, residual: UnsafePointer<Float>?
    ) {
      (self.output, self.outputStride, self.rows, self.width) = (output, outputStride, rows, width)
      (self.bias, self.taps, self.offsets, self.count) = (bias, taps, offsets, count)
      (self.top, self.topStride, self.residual) = (top, topStride, residual)
    }

    /// Vector p of the `perRow` a row that follow its first `skip`: row p / perRow, columns
    /// lanes·(skip + p % perRow) ..< +lanes.
    @inlinable @inline(__always)
    func place(_ p: Int, perRow: Int, skip: Int, lanes: Int) -> (input: Int, output: Int) {
      let (r, column) = (p / perRow, lanes &* (skip &+ p % perRow))
      return (r &* topStride &+ column, r &* outputStride &+ column)
    }

    /// The activation, the residual if any, and the store of the vector at `at`.
    @inlinable @inline(__always)
    func finish<V: KernelVector, A: VectorActivation>(_ v: V, _: A.Type, _ at: Int) {
      var v = A.apply(v)
      if let residual { v += loadVector(residual + at) }
      storeVector(v, output + at)
    }

    @inlinable @inline(__always)
    func run<V: KernelVector, A: VectorActivation>(_: V.Type, _: A.Type) {
      let lanes = V.scalarCount
      let perRow = width / lanes
      let wide = perRow / 8 * 8
      if wide > 0 {
        octets(V.self, wide: wide)
        if A.self != Identity.self || residual != nil { finishOctets(V.self, A.self, wide: wide) }
      }
      let rest = perRow - wide
      let vectors = rows * rest
      var p = quads(V.self, A.self, vectors: vectors, perRow: rest, skip: wide)
      while p < vectors {
        let at = place(p, perRow: rest, skip: wide, lanes: lanes)
        var total = V(repeating: bias)
        for t in 0..<count {
          total = total.addingProduct(
            V(repeating: taps[t]), loadVector(top + offsets[t] + at.input))
        }
        finish(total, A.self, at.output)
        p += 1
      }
      if width > lanes * perRow { tails(V.self, A.self, from: lanes * perRow) }
    }

    /// The first `wide` whole vectors of each row, eight at a time, as bias + Σ only (the
    /// activation and residual follow in `finishOctets`): eight independent sums keep two FMA
    /// units busy through a four-cycle latency (AVX2 on Zen 3 and Zen 4, AVX-512 on Intel's two
    /// 512-bit units); measured 8–20 % faster than four at both widths on Zen 4
    /// (EfficientNet-Lite0's 3×3 and 5×5 layers). The eight are adjacent, one pointer apart by
    /// constants: as eight places, their offsets spilled to the stack inside the tap loop. A
    /// function of its own, and without the epilogue: with eight epilogues in it, the optimiser
    /// left the 16-lane loads as calls inside the tap loop (the model 11 % slower).
    @inlinable @inline(never)
    func octets<V: KernelVector>(_: V.Type, wide: Int) {
      let lanes = V.scalarCount
      for r in 0..<rows {
        var column = 0
        while column < wide {
          let (input, at) = (
            r &* topStride &+ column &* lanes, r &* outputStride &+ column &* lanes
          )
          var (a, b, c, d) = (
            V(repeating: bias), V(repeating: bias), V(repeating: bias), V(repeating: bias)
          )
          var (e, f, g, h) = (a, a, a, a)
          for t in 0..<count {
            let from = top + (offsets[t] &+ input)
            let tap = V(repeating: taps[t])
            a = a.addingProduct(tap, loadVector(from))
            b = b.addingProduct(tap, loadVector(from + lanes))
            c = c.addingProduct(tap, loadVector(from + 2 &* lanes))
            d = d.addingProduct(tap, loadVector(from + 3 &* lanes))
            e = e.addingProduct(tap, loadVector(from + 4 &* lanes))
            f = f.addingProduct(tap, loadVector(from + 5 &* lanes))
            g = g.addingProduct(tap, loadVector(from + 6 &* lanes))
            h = h.addingProduct(tap, loadVector(from + 7 &* lanes))
          }
          let out = output + at
          storeVector(a, out)
          storeVector(b, out + lanes)
          storeVector(c, out + 2 &* lanes)
          storeVector(d, out + 3 &* lanes)
          storeVector(e, out + 4 &* lanes)
          storeVector(f, out + 5 &* lanes)
          storeVector(g, out + 6 &* lanes)
          storeVector(h, out + 7 &* lanes)
          column += 8
        }
      }
    }

    /// The activation and residual of the sums `octets` stored, while they are in L1.
    @inlinable @inline(never)
    func finishOctets<V: KernelVector, A: VectorActivation>(_: V.Type, _: A.Type, wide: Int) {
      let lanes = V.scalarCount
      for r in 0..<rows {
        for column in 0..<wide {
          let at = r &* outputStride &+ column &* lanes
          finish(loadVector(output + at, as: V.self), A.self, at)
        }
      }
    }

    /// The whole vectors left after each row's first `skip` (`perRow` a row), four at a time
    /// across rows; returns the first not done.
    @inlinable @inline(never)
    func quads<V: KernelVector, A: VectorActivation>(
      _: V.Type, _: A.Type, vectors: Int, perRow: Int, skip: Int
    ) -> Int {
      let lanes = V.scalarCount
      var p = 0
      while p + 4 <= vectors {
        let p0 = place(p, perRow: perRow, skip: skip, lanes: lanes)
        let p1 = place(p + 1, perRow: perRow, skip: skip, lanes: lanes)
        let p2 = place(p + 2, perRow: perRow, skip: skip, lanes: lanes)
        let p3 = place(p + 3, perRow: perRow, skip: skip, lanes: lanes)
        var (a, b, c, d) = (
          V(repeating: bias), V(repeating: bias), V(repeating: bias), V(repeating: bias)
        )
        for t in 0..<count {
          let from = top + offsets[t]
          let tap = V(repeating: taps[t])
          a = a.addingProduct(tap, loadVector(from + p0.input))
          b = b.addingProduct(tap, loadVector(from + p1.input))
          c = c.addingProduct(tap, loadVector(from + p2.input))
          d = d.addingProduct(tap, loadVector(from + p3.input))
        }
        finish(a, A.self, p0.output)
        finish(b, A.self, p1.output)
        finish(c, A.self, p2.output)
        finish(d, A.self, p3.output)
        p += 4
      }
      return p
    }

    /// Each row's partial last vector, columns `first ..< width` (a function of its own for
    /// the same reason as `quads`: a partial load is many small blocks).
    @inlinable @inline(never)
    func tails<V: KernelVector, A: VectorActivation>(_: V.Type, _: A.Type, from first: Int) {
      let n = width - first
      for r in 0..<rows {
        let (input, at) = (r * topStride + first, r * outputStride + first)
        var total = V(repeating: bias)
        for t in 0..<count {
          total = total.addingProduct(
            V(repeating: taps[t]), V.load(top + offsets[t] + input, lanes: n))
        }
        var v = A.apply(total)
        if let residual { v += V.load(residual + at, lanes: n) }
        v.store(to: output + at, lanes: n)
      }
    }
  }
}

/// `DepthwiseRows.convolve` without the vector type: `(output, outputStride, rows, width,
/// bias, taps, offsets, count, top, topStride, activation, residual)`.
public typealias DepthwiseRowsKernel = (
  UnsafeMutablePointer<Float>, Int, Int, Int, Float, UnsafePointer<Float>, UnsafePointer<Int>,
  Int, UnsafePointer<Float>, Int, RowActivation, UnsafePointer<Float>?
) -> Void
