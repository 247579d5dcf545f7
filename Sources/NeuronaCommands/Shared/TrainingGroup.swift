// Training under `mpirun -np P`: each `train` subcommand joins the job as one rank (Open MPI
// loaded at run time, Runtime/OpenMPI.swift), divides the machine's cores between the ranks
// that share it, and leaves printing to rank 0, so a job's log reads like one process's.
import Foundation
import Neurona

/// The mpirun job this process is a rank of, or nil when it runs alone.
/// - Parameter threads: `--threads`, if given (else each rank takes cores / local ranks).
/// - Returns: the group, nil for a process alone (or `mpirun -np 1`).
/// - Throws: `ProcessGroupError` when mpirun started it but Open MPI cannot be used.
func joinTrainingGroup(threads: Int?) throws -> ProcessGroup? {
  guard let group = try OpenMPI.joinIfLaunched() else { return nil }
  guard group.size > 1 else {
    // `mpirun -np 1`: a run alone, which still leaves MPI as mpirun expects.
    group.finish()
    return nil
  }
  if threads == nil, ProcessInfo.processInfo.environment["NEURONA_THREADS"] == nil {
    ComputeThreads.setWorkers(max(1, ComputeThreads.cores / max(1, OpenMPI.localSize)))
  }
  if group.rank != 0 {
    // Progress, notes and errors from rank 0 only; another rank's own error goes out as one
    // line naming it (reportingErrors), on the standard error kept aside here.
    Terminal.silent = true
    rankStandardError = dup(STDERR_FILENO)
    _ = freopen("/dev/null", "w", stdout)
    _ = freopen("/dev/null", "w", stderr)
  }
  return group
}

/// Runs `body`; on a rank other than 0, an error it throws is also written as one line
/// "rank R of P: …" (the rank's ordinary error output is silenced: most errors are every
/// rank's, and rank 0 prints those).
func reportingErrors(of group: ProcessGroup?, _ body: () throws -> Void) throws {
  do { try body() } catch {
    if let group, group.rank != 0, rankStandardError >= 0 {
      let line = Array("rank \(group.rank) of \(group.size): \(error)\n".utf8)
      _ = line.withUnsafeBytes { write(rankStandardError, $0.baseAddress, $0.count) }
    }
    throw error
  }
}

/// The standard error of a rank other than 0, kept aside before it is silenced.
nonisolated(unsafe) private var rankStandardError: Int32 = -1
