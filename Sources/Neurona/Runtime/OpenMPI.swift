// Open MPI, loaded at run time: under `mpirun` (which sets OMPI_COMM_WORLD_SIZE) a training
// command opens libmpi.so.40 with dlopen and becomes one rank of a ProcessGroup. Loading it at
// run time rather than linking keeps one binary for everyone: the default build and `make demo`
// need no MPI headers or libraries, and the same `classify` runs alone or under mpirun.
// The price is binding to one implementation's ABI: Open MPI's handles (MPI_COMM_WORLD,
// MPI_FLOAT, MPI_SUM) are the addresses of exported objects, found by dlsym; MPICH's are
// integers and are not supported.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// This process as one rank of an Open MPI job (`mpirun -np P …`).
public final class OpenMPI: ProcessGroup {
  public let rank: Int
  public let size: Int
  public private(set) var collectiveSeconds = 0.0
  private let library: UnsafeMutableRawPointer
  private let world: UnsafeMutableRawPointer
  private let float: UnsafeMutableRawPointer
  private let double: UnsafeMutableRawPointer
  private let sumOperation: UnsafeMutableRawPointer
  private let allreduce: Allreduce
  private let errorString: ErrorString
  private let finalize: Finalize
  private var finished = false

  private typealias Allreduce =
    @convention(c) (
      UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, UnsafeMutableRawPointer,
      UnsafeMutableRawPointer, UnsafeMutableRawPointer
    ) -> Int32
  private typealias ErrorString =
    @convention(c) (
      Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>
    ) -> Int32
  private typealias Initialize =
    @convention(c) (
      UnsafeMutablePointer<Int32>?,
      UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
    ) -> Int32
  private typealias CommunicatorInteger =
    @convention(c) (
      UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>
    ) -> Int32
  private typealias SetErrorHandler =
    @convention(c) (
      UnsafeMutableRawPointer, UnsafeMutableRawPointer
    ) -> Int32
  private typealias Finalize = @convention(c) () -> Int32

  /// The process count mpirun announced, or nil when this process was not started by it.
  public static var launchedSize: Int? {
    getenv("OMPI_COMM_WORLD_SIZE").flatMap { Int(String(cString: $0)) }
  }

  /// How many ranks share this machine (to divide its cores between them).
  public static var localSize: Int {
    getenv("OMPI_COMM_WORLD_LOCAL_SIZE").flatMap { Int(String(cString: $0)) } ?? 1
  }

  /// The job this process belongs to when mpirun started it, else nil.
  /// - Throws: `ProcessGroupError` when mpirun started it but Open MPI cannot be loaded or
  ///   initialised.
  public static func joinIfLaunched() throws -> OpenMPI? {
    guard launchedSize != nil else { return nil }
    return try OpenMPI()
  }

  private init() throws {
    var opened: UnsafeMutableRawPointer?
    for name in ["libmpi.so.40", "libmpi.so"] {
      // RTLD_GLOBAL: Open MPI's own plugins, which it dlopens, resolve libmpi's symbols.
      opened = dlopen(name, RTLD_NOW | RTLD_GLOBAL)
      if opened != nil { break }
    }
    guard let library = opened else {
      throw ProcessGroupError(
        "started by mpirun, but Open MPI's libmpi.so.40 cannot be loaded (\(OpenMPI.dlerrorText)); "
          + "install it: apt-get install openmpi-bin")
    }
    self.library = library
    func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
      guard let address = dlsym(library, name) else {
        throw ProcessGroupError(
          "libmpi has no \(name): not Open MPI 4 or later (MPICH is not supported)")
      }
      return address
    }
    world = try symbol("ompi_mpi_comm_world")
    float = try symbol("ompi_mpi_float")
    double = try symbol("ompi_mpi_double")
    sumOperation = try symbol("ompi_mpi_op_sum")
    allreduce = unsafeBitCast(try symbol("MPI_Allreduce"), to: Allreduce.self)
    errorString = unsafeBitCast(try symbol("MPI_Error_string"), to: ErrorString.self)
    let initialize = unsafeBitCast(try symbol("MPI_Init"), to: Initialize.self)
    let commRank = unsafeBitCast(try symbol("MPI_Comm_rank"), to: CommunicatorInteger.self)
    let commSize = unsafeBitCast(try symbol("MPI_Comm_size"), to: CommunicatorInteger.self)
    let setHandler = unsafeBitCast(
      try symbol("MPI_Comm_set_errhandler"), to: SetErrorHandler.self)
    guard initialize(nil, nil) == 0 else { throw ProcessGroupError("MPI_Init failed") }
    // Errors come back as codes, so a lost peer ends this rank with one clear line instead of
    // Open MPI's abort banner.
    _ = setHandler(world, try symbol("ompi_mpi_errors_return"))
    var value: Int32 = 0
    _ = commRank(world, &value)
    rank = Int(value)
    _ = commSize(world, &value)
    size = Int(value)
    finalize = unsafeBitCast(try symbol("MPI_Finalize"), to: Finalize.self)
  }

  /// MPI_Finalize, once the run has ended well. A rank that fails exits without it, which
  /// mpirun takes as the job's failure and ends the other ranks (finalizing could wait for
  /// peers still in a collective).
  public func finish() {
    guard !finished else { return }
    finished = true
    _ = finalize()
  }

  public func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {
    try reduce(values.baseAddress, values.count, float)
  }

  public func sum(_ values: UnsafeMutableBufferPointer<Double>) throws {
    try reduce(values.baseAddress, values.count, double)
  }

  /// MPI_Allreduce in place (MPI_IN_PLACE is the address 1 in Open MPI), in pieces that fit
  /// its Int32 count.
  private func reduce<T>(
    _ base: UnsafeMutablePointer<T>?, _ count: Int, _ type: UnsafeMutableRawPointer
  )
    throws
  {
    guard let base, count > 0 else { return }
    let started = Clock.now
    defer { collectiveSeconds += Clock.secondsSince(started) }
    let inPlace = UnsafeRawPointer(bitPattern: 1)
    var done = 0
    while done < count {
      let piece = min(count - done, Int(Int32.max))
      let code = allreduce(inPlace, base + done, Int32(piece), type, sumOperation, world)
      guard code == 0 else {
        throw ProcessGroupError(
          "rank \(rank) of \(size): MPI_Allreduce failed (\(message(code))): another rank has "
            + "probably died; the last checkpoint is intact, rerun with --resume")
      }
      done += piece
    }
  }

  private func message(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    var length: Int32 = 0
    _ = errorString(code, &buffer, &length)
    return String(cString: buffer)
  }

  private static var dlerrorText: String { dlerror().map { String(cString: $0) } ?? "unknown" }
}
