// Matrix products over OpenBLAS's cblas_sgemm. Every dense product in the core (Dense,
// convolution via im2col, LSTM gates) goes through `GEMM.multiply`, so a change of BLAS or
// of threading policy happens here only. OpenBLAS runs single-threaded (ComputeThreads.swift);
// a product big enough to share is split here into column (or row) blocks, one per worker.
import CBLAS

/// Row-major single-precision matrix products.
public enum GEMM {
  /// C ← α·op(A)·op(B) + β·C, with op(X) = X or Xᵀ.
  ///
  /// Shapes, row-major: op(A) is [m, k], op(B) is [k, n], C is [m, n]. `a` is stored as
  /// [m, k] (or [k, m] when `transposeA`), `b` as [k, n] (or [n, k] when `transposeB`).
  /// The row strides (BLAS leading dimensions) default to the row lengths, i.e. packed
  /// matrices; a larger stride selects a block of columns of a wider matrix (a band of an
  /// image's pixels in a convolution).
  public static func multiply(
    _ a: UnsafePointer<Float>, transposeA: Bool = false,
    _ b: UnsafePointer<Float>, transposeB: Bool = false,
    into c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
    rowStrideA: Int? = nil, rowStrideB: Int? = nil, rowStrideC: Int? = nil
  ) {
    guard m > 0, n > 0 else { return }
    let ldc = rowStrideC ?? n
    guard k > 0 else {
      // An empty inner dimension: the product is zero, only β·C remains.
      for i in 0..<m {
        for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
      }
      return
    }
    let lda = rowStrideA ?? (transposeA ? m : k)
    let ldb = rowStrideB ?? (transposeB ? k : n)
    if m == 1 || n == 1 {
      // A matrix-vector product (one image through a dense layer): sgemv streams the matrix
      // once, where sgemm would first copy it into its packed panels.
      // Shared by output elements when the matrix is big: each worker then streams its own
      // part, which can stay in its core's cache from one call to the next.
      let length = Swift.max(m, n)
      let workers =
        length * k >= minimumSharedMatrix && !ComputeThreads.isBusy
        ? ComputeThreads.workers : 1
      share(length, between: workers) { lo, hi in
        if m == 1 {
          matrixVector(
            a, transposeA, lda, b + (transposeB ? lo * ldb : lo), transposeB, ldb, c + lo, ldc,
            1, hi - lo, k, alpha, beta)
        } else {
          matrixVector(
            a + (transposeA ? lo : lo * lda), transposeA, lda, b, transposeB, ldb, c + lo * ldc,
            ldc, hi - lo, 1, k, alpha, beta)
        }
      }
      return
    }
    let workers = ComputeThreads.workers
    guard workers > 1, m * n * k >= minimumSharedWork, Swift.max(m, n) >= 2 * blockAlignment,
      !ComputeThreads.isBusy
    else {
      return sgemm(a, transposeA, lda, b, transposeB, ldb, c, ldc, m, n, k, alpha, beta)
    }
    // Each worker computes a block of C's columns (or of its rows, for a tall thin C):
    // C[:, j0..<j1] = op(A)·op(B)[:, j0..<j1], which needs no synchronisation.
    let byColumns = n >= m
    share(byColumns ? n : m, between: workers) { lo, hi in
      if byColumns {
        sgemm(
          a, transposeA, lda, b + (transposeB ? lo * ldb : lo), transposeB, ldb, c + lo, ldc,
          m, hi - lo, k, alpha, beta)
      } else {
        sgemm(
          a + (transposeA ? lo : lo * lda), transposeA, lda, b, transposeB, ldb, c + lo * ldc,
          ldc, hi - lo, n, k, alpha, beta)
      }
    }
  }

  /// Calls `body(lo, hi)` on `workers` blocks of `0..<length` at once, blocks starting at
  /// multiples of `blockAlignment`.
  private static func share(_ length: Int, between workers: Int, _ body: (Int, Int) -> Void) {
    let block = ceilDivide(ceilDivide(length, workers), blockAlignment) * blockAlignment
    ComputeThreads.parallel(ceilDivide(length, block)) { part in
      body(part * block, Swift.min(length, (part + 1) * block))
    }
  }

  /// Products with fewer multiply-adds than this (about 10 µs on one core) run on one
  /// worker: waking the others would cost more than it saves.
  static let minimumSharedWork = 1 << 19
  /// Matrix-vector products with a matrix of at least this many floats (a dense layer's
  /// weights for one image) are shared between the workers.
  static let minimumSharedMatrix = 1 << 16
  /// Blocks of a shared product start at multiples of this many columns (or rows), whole
  /// vector registers for sgemm's kernels.
  static let blockAlignment = 16

  /// C ← α·op(A)·op(B) + β·C when C is one row (m = 1) or one column (n = 1).
  private static func matrixVector(
    _ a: UnsafePointer<Float>, _ transposeA: Bool, _ lda: Int,
    _ b: UnsafePointer<Float>, _ transposeB: Bool, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ m: Int, _ n: Int, _ k: Int,
    _ alpha: Float, _ beta: Float
  ) {
    ComputeThreads.prepareBLAS()
    if m == 1 {
      // Cᵀ = op(B)ᵀ·aᵀ: B is [n, k] when transposed, else [k, n]; a's k values lie lda apart
      // when A is stored [k, 1].
      cblas_sgemv(
        CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans,
        Int32(transposeB ? n : k), Int32(transposeB ? k : n), alpha, b, Int32(ldb),
        a, Int32(transposeA ? lda : 1), beta, c, 1)
    } else {
      // C = op(A)·b: A is [k, m] when transposed, else [m, k]; b's k values lie ldb apart
      // when B is stored [k, 1].
      cblas_sgemv(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
        Int32(transposeA ? k : m), Int32(transposeA ? m : k), alpha, a, Int32(lda),
        b, Int32(transposeB ? 1 : ldb), beta, c, Int32(ldc))
    }
  }

  private static func sgemm(
    _ a: UnsafePointer<Float>, _ transposeA: Bool, _ lda: Int,
    _ b: UnsafePointer<Float>, _ transposeB: Bool, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ m: Int, _ n: Int, _ k: Int,
    _ alpha: Float, _ beta: Float
  ) {
    ComputeThreads.prepareBLAS()
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// The matrix product of two rank-2 tensors, with optional transposes.
  public static func matmul(
    _ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false
  ) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors: \(a.shape), \(b.shape)")
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    precondition(k == k2, "inner dimensions differ: \(a.shape) × \(b.shape)")
    var c = Tensor(zeros: [m, n])
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          multiply(
            pa.baseAddress!, transposeA: transposeA, pb.baseAddress!, transposeB: transposeB,
            into: pc.baseAddress!, m: m, n: n, k: k)
        }
      }
    }
    return c
  }
}
