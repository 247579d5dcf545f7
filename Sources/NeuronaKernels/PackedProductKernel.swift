// C = A·B with A laid out once for the kernel (`PackedProduct.pack`, below: panels of six
// rows, `[M/6][K][6]`, zero rows past M, 8 spare floats): the product of a convolution's
// filters with its unfolded input. B is read in place when its rows are short, else copied
// block by block into strips two vectors wide that stay in cache while every panel of A
// sweeps them. C is written once: no per-call packing of A and no pass that zeroes C, which
// sgemm spends on every call.

/// Products with a pre-laid-out left operand (see the file header).
public enum PackedProduct {
  // The products themselves are each instruction set's: `multiply` in NeuronaAVX2 (8 floats
  // a vector), `PackedProduct512.multiply` in NeuronaAVX512.

  /// Floats of A `[M, K]` laid out in panels, and 8 spare: the column tail reads whole
  /// vectors and uses their first six lanes (the spare floats are read, never used).
  public static func packedCount(rows m: Int, depth k: Int) -> Int { roundUp(m, 6) * k + 8 }

  /// Lays A `[M, K]` (rows `k` apart) out in panels of six rows into `packed`.
  public static func pack(
    _ a: UnsafePointer<Float>, rows m: Int, depth k: Int, into packed: UnsafeMutablePointer<Float>
  ) {
    packed.update(repeating: 0, count: roundUp(m, 6) * k)
    for row in 0..<m {
      let (panel, lane) = row.quotientAndRemainder(dividingBy: 6)
      let target = packed + panel * 6 * k + lane
      for column in 0..<k { target[column * 6] = a[row * k + column] }
    }
  }
}

/// A packed product of one instruction set, for callers that take either (Winograd's
/// products): `(packed A, M, K, B, rowStrideB, N, C, rowStrideC)` as `packedMultiply`.
public typealias PackedMultiply = (
  _ packed: UnsafePointer<Float>, _ rows: Int, _ depth: Int, _ b: UnsafePointer<Float>,
  _ rowStrideB: Int, _ columns: Int, _ c: UnsafeMutablePointer<Float>, _ rowStrideC: Int
) -> Void

/// C `[M, N]` (rows `rowStrideC` apart) = A (packed) · B `[K, N]` (rows `rowStrideB` apart),
/// computed with vectors `V`. B is read only inside its N columns.
@inlinable
public func packedMultiply<V: SIMD>(
  _: V.Type, packed a: UnsafePointer<Float>, rows m: Int, depth k: Int, _ b: UnsafePointer<Float>,
  rowStrideB: Int, columns n: Int, into c: UnsafeMutablePointer<Float>, rowStrideC: Int
) where V.Scalar == Float {
  let lanes = V.scalarCount
  let width = 2 * lanes
  // In 16-float vectors, short rows of B (Winograd's V: at most 512 tiles) are read in
  // place, the rows of a block staying in L1/L2 while the panels sweep them: 3–13 % faster
  // than copying them into strips (`neurona-bench blas`, Zen 4). Long rows (a 1×1
  // convolution's image planes, 4096 floats and more) are copied: read in place, rows a
  // multiple of 4 KB apart fall into the same cache sets, and the product ran at half speed.
  // In 8-float vectors the copy stays: in place was faster alone on one core but 1–7 %
  // slower in the U-Net at batch 1 on two cores (alternating runs, Zen 4).
  let inPlace = lanes == 16 && rowStrideB < 1024
  // Columns in whole vectors: strips of two vectors, the last maybe of one.
  let whole = n - n % lanes
  // Blocks of columns whose K rows of B, copied into contiguous strips (at most 128 KB, in
  // L2; one strip in L1), every panel of A then sweeps.
  let blockWidth = Swift.max(width, (1 << 15) / Swift.max(k, 1) / width * width)
  let capacity = inPlace ? 1 : k * Swift.min(blockWidth, roundUp(whole, width)) + 1
  withUnsafeTemporaryAllocation(of: Float.self, capacity: capacity) { strips in
    let strips = strips.baseAddress!
    for first in Swift.stride(from: 0, to: whole, by: blockWidth) {
      let last = Swift.min(whole, first + blockWidth)
      for (index, column) in Swift.stride(from: first, to: last, by: width).enumerated()
      where !inPlace {
        let strip = strips + index * k * width
        // Whole vectors, not `update(from:count:)`: with a count known only at run time that
        // is a memmove call per row (a few per cent of the U-Net at batch 1, measured).
        if last - column >= width {
          for step in 0..<k {
            let (source, target) = (b + (step * rowStrideB + column), strip + step * width)
            storeVector(loadVector(source, as: V.self), target)
            storeVector(loadVector(source + lanes, as: V.self), target + lanes)
          }
        } else {
          for step in 0..<k {
            let source = b + (step * rowStrideB + column)
            storeVector(loadVector(source, as: V.self), strip + step * lanes)
          }
        }
      }
      for panel in 0..<ceilDivide(m, 6) {
        let rows = Swift.min(6, m - panel * 6)
        let (pa, pc) = (a + panel * 6 * k, c + panel * 6 * rowStrideC)
        for (index, column) in Swift.stride(from: first, to: last, by: width).enumerated() {
          let span = Swift.min(width, last - column)
          let strip = UnsafePointer(strips + index * k * width)
          let direct = b + column
          // One block of `rows` rows and `span` columns, straight into C.
          let (target, stride) = (pc + column, rowStrideC)
          if inPlace {
            let row = { (step: Int) in direct + step &* rowStrideB }
            if span == width {
              block6x2(V.self, k: k, pa, row: row, into: target, rowStrideC: stride, rows: rows)
            } else {
              block6x1(V.self, k: k, pa, row: row, into: target, rowStrideC: stride, rows: rows)
            }
          } else if span == width {
            block6x2(
              V.self, k: k, pa, row: { strip + $0 &* width }, into: target, rowStrideC: stride,
              rows: rows)
          } else {
            block6x1(
              V.self, k: k, pa, row: { strip + $0 &* lanes }, into: target, rowStrideC: stride,
              rows: rows)
          }
        }
        // The columns short of a vector, while the panel is in cache.
        if last == whole && whole < n {
          panelTail(
            k: k, pa, b, rowStrideB: rowStrideB, columns: whole..<n, rows: rows, into: pc,
            rowStrideC: rowStrideC)
        }
      }
    }
  }
  // Fewer columns than one vector: no block ran, only the tail.
  if whole == 0 {
    for panel in 0..<ceilDivide(m, 6) {
      panelTail(
        k: k, a + panel * 6 * k, b, rowStrideB: rowStrideB, columns: 0..<n,
        rows: Swift.min(6, m - panel * 6), into: c + panel * 6 * rowStrideC,
        rowStrideC: rowStrideC)
    }
  }
}

/// One panel's last columns (fewer than a vector, `columns`), each column's six rows in one
/// 8-float vector; the packed A's spare floats make its last read whole. The sums run in four
/// independent chains (two columns × two halves of the steps, or one column × four): one
/// chain was held to one multiply-add per FMA latency, and the 4 tail columns of a 14×14
/// plane cost 7 % of EfficientNet-Lite0 at batch 1 (one core, Zen 4).
@inlinable @inline(__always)
func panelTail(
  k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rowStrideB: Int,
  columns: Range<Int>, rows: Int, into c: UnsafeMutablePointer<Float>, rowStrideC: Int
) {
  typealias V = SIMD8<Float>
  var column = columns.lowerBound
  while column < columns.upperBound {
    let pair = column + 1 < columns.upperBound
    // Chains s (even steps) and t (odd steps) of columns 0 and 1; a lone column puts its
    // steps 4j+2 and 4j+3 in the second column's chains.
    var (s0, s1, t0, t1) = (V(), V(), V(), V())
    var (pa, pb) = (a, b + column)
    var step = 0
    if pair {
      while step + 2 <= k {
        let (a0, a1) = (loadVector(pa, as: V.self), loadVector(pa + 6, as: V.self))
        let next = pb + rowStrideB
        s0.addProduct(a0, V(repeating: pb[0]))
        s1.addProduct(a0, V(repeating: pb[1]))
        t0.addProduct(a1, V(repeating: next[0]))
        t1.addProduct(a1, V(repeating: next[1]))
        (pa, pb, step) = (pa + 12, next + rowStrideB, step + 2)
      }
      if step < k {
        let a0 = loadVector(pa, as: V.self)
        s0.addProduct(a0, V(repeating: pb[0]))
        s1.addProduct(a0, V(repeating: pb[1]))
      }
      let (first, second) = (s0 + t0, s1 + t1)
      for row in 0..<rows {
        c[row * rowStrideC + column] = first[row]
        c[row * rowStrideC + column + 1] = second[row]
      }
      column += 2
    } else {
      while step + 4 <= k {
        let rowB = { (offset: Int) in pb[offset &* rowStrideB] }
        s0.addProduct(loadVector(pa, as: V.self), V(repeating: rowB(0)))
        t0.addProduct(loadVector(pa + 6, as: V.self), V(repeating: rowB(1)))
        s1.addProduct(loadVector(pa + 12, as: V.self), V(repeating: rowB(2)))
        t1.addProduct(loadVector(pa + 18, as: V.self), V(repeating: rowB(3)))
        (pa, pb, step) = (pa + 24, pb + 4 &* rowStrideB, step + 4)
      }
      while step < k {
        s0.addProduct(loadVector(pa, as: V.self), V(repeating: pb[0]))
        (pa, pb, step) = (pa + 6, pb + rowStrideB, step + 1)
      }
      let sum = (s0 + t0) + (s1 + t1)
      for row in 0..<rows { c[row * rowStrideC + column] = sum[row] }
      column += 1
    }
  }
}
