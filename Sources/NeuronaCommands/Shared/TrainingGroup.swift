// Training under `mpirun -np P`: each `train` subcommand joins the job as one rank (Open MPI
// loaded at run time, Runtime/OpenMPI.swift), divides the machine's cores between the ranks
// that share it, and leaves printing to rank 0, so a job's log reads like one process's.
import Foundation
import Neurona

/// The mpirun job this process is a rank of, or nil when it runs alone.
/// - Parameter threads: `--threads`, if given (else each rank takes cores / local ranks).
/// - Throws: `ProcessGroupError` when mpirun started it but Open MPI cannot be used.
func joinTrainingGroup(threads: Int?) throws -> ProcessGroup? {
  guard let group = try OpenMPI.joinIfLaunched(), group.size > 1 else { return nil }
  if threads == nil, ProcessInfo.processInfo.environment["NEURONA_THREADS"] == nil {
    ComputeThreads.setWorkers(max(1, ComputeThreads.cores / max(1, OpenMPI.localSize)))
  }
  if group.rank != 0 {
    // Progress and notes from rank 0 only; errors still reach stderr (thrown, not warned).
    Terminal.silent = true
    _ = freopen("/dev/null", "w", stdout)
  }
  return group
}
