// Tests whose prerequisites may be missing on a developer's machine (a dataset package, a
// Python module, permission to mount) skip there, but never in CI: under `CI=true` they run
// and fail, so a missing install step cannot pass unseen. `make test` installs them all
// (scripts/install-deps.sh --datasets).
import Foundation
import Testing

/// Whether a test whose prerequisite (a dataset package, a Python module, a mount) may be
/// missing should run: when it is there, and always under `CI=true`, where a missing
/// prerequisite must fail the run instead of skipping (`make test` installs them all).
public func prerequisite(_ available: Bool) -> Bool {
  available || ProcessInfo.processInfo.environment["CI"] == "true"
}

/// For a test that finds its prerequisite missing only once it runs: records a failure under
/// `CI=true` (where it must be there), and returns so the caller can stop.
public func missingPrerequisite(_ what: String) {
  if ProcessInfo.processInfo.environment["CI"] == "true" {
    Issue.record("missing prerequisite under CI=true: \(what)")
  }
}
