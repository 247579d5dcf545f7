// ComputeThreads: how many cores the core computes on, and the one place that decides it.
// OpenBLAS is kept single-threaded and the parallel work is ours (WorkerPool.swift): a
// convolution shares its tiles, a big product its column blocks (GEMM.swift). Letting
// OpenBLAS thread its products as well made its idle threads spin-yield against ours.
// This is also where OpenBLAS's kernel is chosen from the CPU's features (BLASKernel.swift).
import CBLAS
import Foundation

/// The threads the core computes with.
public enum ComputeThreads {
  /// Sets how many workers share parallel work (1: everything on the calling thread).
  /// At most one per core; the default is one per core, or `NEURONA_THREADS` when set.
  public static func setWorkers(_ count: Int) {
    configuredWorkers = Swift.max(1, Swift.min(count, cores))
  }

  nonisolated(unsafe) private static var configuredWorkers: Int? = {
    guard let text = ProcessInfo.processInfo.environment["NEURONA_THREADS"],
      let count = Int(text), count >= 1
    else { return nil }
    return Swift.min(count, cores)
  }()

  /// How many workers share a parallel piece of work.
  public static var workers: Int { configuredWorkers ?? cores }

  /// The cores our threads may use.
  /// (Read once: Foundation asks the file system each time.)
  public static let cores = ProcessInfo.processInfo.activeProcessorCount

  /// Runs `body(i)` for `i` in `0..<count` on the workers, the caller being one of them, and
  /// returns when all are done. `count` may exceed the workers (they claim indices in turn).
  /// A call made while another is running — nested inside it, or from a second thread —
  /// runs serially on its caller, so the cores are never oversubscribed.
  public static func parallel(_ count: Int, _ body: (Int) -> Void) {
    guard count > 1, workers > 1 else {
      for i in 0..<count { body(i) }
      return
    }
    pool.run(count, body)
  }

  /// Whether a parallel job is running (a product inside it stays on its worker).
  static var isBusy: Bool { pool.isBusy }

  /// Runs `body` on the calling thread alone: every parallel job inside runs its pieces in
  /// turn, cut as they would be on all the workers (SharingChoice.swift).
  public static func serially<T>(_ body: () throws -> T) rethrows -> T {
    workers > 1 ? try pool.serially(body) : try body()
  }

  private static let pool = WorkerPool(helpers: Swift.max(0, cores - 1))

  /// The name of the kernel OpenBLAS chose for this CPU (e.g. "Haswell", "Zen").
  public static var blasCoreName: String {
    prepareBLAS()
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// Makes OpenBLAS single-threaded and picks its kernel from the CPU's features; done once,
  /// before the first product.
  static func prepareBLAS() { _ = blasPrepared }

  private static let blasPrepared: Bool = {
    openblas_set_num_threads(1)
    chooseBLASKernel()
    return true
  }()

  /// Moves OpenBLAS to the kernel `BLASKernel.choice` names for this CPU and `NEURONA_ISA`,
  /// unless the user set OPENBLAS_CORETYPE. The library reads OPENBLAS_CORETYPE only when it
  /// loads, so the choice is redone through its exported `gotoblas_dynamic_quit`/`_init`
  /// (looked up, as a BLAS without them is fine too).
  private static func chooseBLASKernel() {
    guard getenv("OPENBLAS_CORETYPE") == nil, let name = openblas_get_corename() else { return }
    let f = CPUFeatures.detected
    if let wanted = BLASKernel.choice(
      current: String(cString: name), for: CPUFeatures.active, isAMD: f.isAMD != 0)
    {
      switchBLASKernel(to: wanted)
    }
  }

  /// Makes OpenBLAS (a DYNAMIC_ARCH build) use the kernel `coreType`; no BLAS call may run
  /// meanwhile. Returns whether the library allowed it.
  @discardableResult
  static func switchBLASKernel(to coreType: String) -> Bool {
    typealias Hook = @convention(c) () -> Void
    guard let library = dlopen(nil, RTLD_NOW) else { return false }
    defer { dlclose(library) }
    guard let quit = dlsym(library, "gotoblas_dynamic_quit"),
      let initialize = dlsym(library, "gotoblas_dynamic_init")
    else { return false }
    setenv("OPENBLAS_CORETYPE", coreType, 1)
    unsafeBitCast(quit, to: Hook.self)()
    unsafeBitCast(initialize, to: Hook.self)()
    unsetenv("OPENBLAS_CORETYPE")
    return true
  }
}
