// The check every fast-path test starts with: at a level that has the path's kernels it must
// be taken (or the test would compare the reference with itself); at a level without them
// (NEURONA_ISA=baseline) it must stay off, and that is the whole test there.
import Neurona
import Testing

/// Expects `applies` when the AVX2 kernels run, its negation otherwise; returns whether the
/// rest of the test (fast path against reference) should run.
public func fastPathTaken(
  _ applies: Bool, sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
  if CPUFeatures.hasAVX2AndFMA {
    #expect(applies, "the fast path should be taken", sourceLocation: sourceLocation)
    return true
  }
  #expect(!applies, "no fast path without its kernels", sourceLocation: sourceLocation)
  return false
}
