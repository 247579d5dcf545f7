// Matrix products over OpenBLAS's cblas_sgemm, and the one place the BLAS thread count is set.
// Every dense product in the core (Dense, convolution via im2col, LSTM gates) goes through
// `gemm`, so a change of BLAS or of threading policy happens here only.
import CBLAS
import Dispatch
import Foundation

/// Row-major single-precision matrix products.
public enum GEMM {
  /// C ← α·op(A)·op(B) + β·C, with op(X) = X or Xᵀ.
  ///
  /// Shapes, row-major: op(A) is [m, k], op(B) is [k, n], C is [m, n]. `a` is stored as
  /// [m, k] (or [k, m] when `transposeA`), `b` as [k, n] (or [n, k] when `transposeB`).
  /// The row strides (BLAS leading dimensions) default to the row lengths, i.e. packed
  /// matrices; a larger stride selects a block of columns of a wider matrix (a band of an
  /// image's pixels in a convolution).
  @inlinable
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
    cblas_sgemm(
      CblasRowMajor,
      transposeA ? CblasTrans : CblasNoTrans,
      transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha,
      a, Int32(rowStrideA ?? (transposeA ? m : k)),
      b, Int32(rowStrideB ?? (transposeB ? k : n)),
      beta, c, Int32(ldc))
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

/// The threads the core computes with: OpenBLAS's pool, set in this one place.
public enum ComputeThreads {
  /// Sets how many threads OpenBLAS uses for each product (1 when our own code runs
  /// several products in parallel, so the two never oversubscribe the cores).
  public static func setBLASThreads(_ count: Int) {
    configuredThreads = Swift.max(1, count)
    openblas_set_num_threads(Int32(Swift.max(1, count)))
  }

  /// The count last given to `setBLASThreads` (nil: OpenBLAS's default, one per core).
  nonisolated(unsafe) private static var configuredThreads: Int?

  /// How many threads OpenBLAS uses for each product outside `parallel` (by default one per
  /// core): the number of workers `parallel` callers may run.
  public static var blasThreads: Int { configuredThreads ?? Int(openblas_get_num_threads()) }

  /// Runs `body(worker)` for workers `0..<count` at the same time, with OpenBLAS
  /// single-threaded meanwhile so that each worker's products run on its own core and the
  /// two kinds of threads never oversubscribe the cores; the BLAS thread count is restored
  /// afterwards. With `count` ≤ 1, just calls `body(0)`.
  ///
  /// The BLAS thread count is process-wide: two `parallel` calls at once from different
  /// threads (two models run concurrently) stay correct but may oversubscribe the cores.
  public static func parallel(_ count: Int, _ body: (Int) -> Void) {
    guard count > 1 else { return body(0) }
    let restored = blasThreads
    openblas_set_num_threads(1)
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
    openblas_set_num_threads(Int32(restored))
  }

  /// The cores our own threads may use (one worker per core).
  public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

  /// The name of the kernel OpenBLAS chose for this CPU (e.g. "Haswell", "Cooperlake").
  public static var blasCoreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }
}
