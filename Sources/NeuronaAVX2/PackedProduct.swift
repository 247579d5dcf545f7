// C = A·B with A laid out once for the kernel: the product of a convolution's filters
// (A, [M, K], fixed between changes of the weights) with its unfolded input (B, [K, N]).
// A is stored in panels of six rows (`[M/6][K][6]`, zero rows past M), so each 6 × 16 block
// of C is twelve accumulators fed by one broadcast per row and two loads of B per step of K
// (MicroKernel.swift). B is copied block by block into 16-wide strips that stay in
// cache while every panel sweeps them, and C is written once: no per-call packing of A and
// no pass that zeroes C, which sgemm spends on every call.

/// Products with a pre-laid-out left operand (see the file header).
public enum PackedProduct {
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

  /// C `[M, N]` (rows `rowStrideC` apart) = A (packed) · B `[K, N]` (rows `rowStrideB`
  /// apart). B is read only inside its N columns.
  public static func multiply(
    packed a: UnsafePointer<Float>, rows m: Int, depth k: Int, _ b: UnsafePointer<Float>,
    rowStrideB: Int, columns n: Int, into c: UnsafeMutablePointer<Float>, rowStrideC: Int
  ) {
    let whole = n - n % 16
    // Blocks of columns whose K rows of B, copied into contiguous 16-wide strips (at most
    // 128 KB, in L2; one strip in L1), every panel of A then sweeps.
    let blockWidth = Swift.max(16, (1 << 15) / Swift.max(k, 1) / 16 * 16)
    withUnsafeTemporaryAllocation(of: Float.self, capacity: k * Swift.min(blockWidth, whole) + 1) {
      strips in
      let strips = strips.baseAddress!
      for first in Swift.stride(from: 0, to: whole, by: blockWidth) {
        let last = Swift.min(whole, first + blockWidth)
        for (index, column) in Swift.stride(from: first, to: last, by: 16).enumerated() {
          let strip = strips + index * k * 16
          for step in 0..<k {
            (strip + step * 16).update(from: b + (step * rowStrideB + column), count: 16)
          }
        }
        for panel in 0..<ceilDivide(m, 6) {
          let rows = Swift.min(6, m - panel * 6)
          let (pa, pc) = (a + panel * 6 * k, c + panel * 6 * rowStrideC)
          for (index, column) in Swift.stride(from: first, to: last, by: 16).enumerated() {
            let strip = UnsafePointer(strips + index * k * 16)
            if rows == 6 {
              block6x16(
                k: k, pa, row: { strip + $0 &* 16 }, into: pc + column, rowStrideC: rowStrideC)
            } else {
              // Fewer than six rows left: the block goes through the stack.
              withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * 16) { block in
                let block = block.baseAddress!
                block6x16(k: k, pa, row: { strip + $0 &* 16 }, into: block, rowStrideC: 16)
                for row in 0..<rows {
                  (pc + (row * rowStrideC + column)).update(from: block + row * 16, count: 16)
                }
              }
            }
          }
        }
      }
    }
    for panel in 0..<ceilDivide(m, 6) {
      let rows = Swift.min(6, m - panel * 6)
      let (pa, pc) = (a + panel * 6 * k, c + panel * 6 * rowStrideC)
      // The last columns one at a time, the panel's six rows in one vector.
      for column in whole..<n {
        var sum = SIMD8<Float>()
        for step in 0..<k {
          sum.addProduct(load8(pa + 6 * step), SIMD8(repeating: b[step * rowStrideB + column]))
        }
        for row in 0..<rows { pc[row * rowStrideC + column] = sum[row] }
      }
    }
  }
}
