// Matrix products over OpenBLAS's cblas_sgemm, and the one place the BLAS thread count is set.
// Every dense product in the core (Dense, convolution via im2col, LSTM gates) goes through
// `gemm`, so a change of BLAS or of threading policy happens here only.
import CBLAS
import Foundation

/// Row-major single-precision matrix products.
public enum GEMM {
  /// C ← α·op(A)·op(B) + β·C, with op(X) = X or Xᵀ.
  ///
  /// Shapes, row-major: op(A) is [m, k], op(B) is [k, n], C is [m, n]. `a` is stored as
  /// [m, k] (or [k, m] when `transposeA`), `b` as [k, n] (or [n, k] when `transposeB`).
  @inlinable
  public static func multiply(
    _ a: UnsafePointer<Float>, transposeA: Bool = false,
    _ b: UnsafePointer<Float>, transposeB: Bool = false,
    into c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
  ) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      // An empty inner dimension: the product is zero, only β·C remains.
      for i in 0..<(m * n) { c[i] = beta == 0 ? 0 : beta * c[i] }
      return
    }
    cblas_sgemm(
      CblasRowMajor,
      transposeA ? CblasTrans : CblasNoTrans,
      transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha,
      a, Int32(transposeA ? m : k),
      b, Int32(transposeB ? k : n),
      beta, c, Int32(n))
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
    openblas_set_num_threads(Int32(Swift.max(1, count)))
  }

  /// How many threads OpenBLAS currently uses for each product.
  public static var blasThreads: Int { Int(openblas_get_num_threads()) }

  /// Runs `body(slice)` for `slices` slices concurrently on our own threads, with OpenBLAS
  /// single-threaded meanwhile (restored afterwards), so the two never oversubscribe the cores.
  ///
  /// For work made of many small products that cannot be merged (an LSTM's time steps):
  /// splitting the batch across threads costs one fork/join instead of one per product.
  /// The BLAS thread count is process-wide: two of these running at once on different threads
  /// may oversubscribe for a while or leave the count at 1 (slower, not wrong). Training and
  /// inference call it from one thread.
  public static func concurrentSlices(_ slices: Int, _ body: (Int) -> Void) {
    guard slices > 1 else {
      for slice in 0..<max(slices, 0) { body(slice) }
      return
    }
    let previous = blasThreads
    setBLASThreads(1)
    defer { setBLASThreads(previous) }
    DispatchQueue.concurrentPerform(iterations: slices, execute: body)
  }

  /// The cores our own threads may use (one worker per core).
  public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

  /// The name of the kernel OpenBLAS chose for this CPU (e.g. "Haswell", "Cooperlake").
  public static var blasCoreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }
}
