// How the process allocates its big buffers. glibc serves every allocation above its mmap
// threshold (at most 32 MB, usually far less after its dynamic adjustment) with a fresh
// mmap, and returns it with munmap on free — so a training step that allocates the same
// activation tensors every batch pays for zero-filling page faults on each one (about 12 %
// of a FashionNet step, measured). Keeping big blocks on the heap and not trimming it lets
// them be reused from one step to the next.
#if canImport(Glibc)
  import CMalloc
#endif

/// Process-wide allocator settings for numeric work.
public enum Allocator {
  /// Serves large allocations from the reusable heap instead of fresh mmaps. Call once, at
  /// the start of an executable, before any large allocation.
  public static func keepLargeBlocks() {
    #if canImport(Glibc)
      _ = mallopt(M_MMAP_MAX, 0)
      _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    #endif
  }
}
