// What the processor can run beyond baseline x86-64. The NeuronaAVX2 module is compiled for
// AVX2 and FMA; calling it on a processor without them would stop the program with an
// illegal instruction, so every caller asks here first. (This file is compiled for the
// baseline, like the rest of Neurona.)
#if canImport(Glibc)
  import Glibc
#endif

/// The processor's optional instruction sets, read once.
public enum CPUFeatures {
  /// Whether the NeuronaAVX2 kernels can run: the CPU (and the kernel that saves its
  /// registers) reports both `avx2` and `fma`, and `NEURONA_NO_AVX2` is not set (it makes a
  /// run take the baseline paths, to compare or to test them).
  public static let hasAVX2AndFMA: Bool = {
    guard getenv("NEURONA_NO_AVX2") == nil, let flags = cpuFlags() else { return false }
    return flags.contains("avx2") && flags.contains("fma")
  }()

  /// The `flags` of the first processor in /proc/cpuinfo; nil off Linux or x86.
  private static func cpuFlags() -> Set<Substring>? {
    #if arch(x86_64) && os(Linux)
      guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
      defer { fclose(file) }
      var line: UnsafeMutablePointer<CChar>? = nil
      var capacity = 0
      defer { free(line) }
      while getline(&line, &capacity, file) > 0, let line {
        let text = String(cString: line)
        guard text.hasPrefix("flags"), let colon = text.firstIndex(of: ":") else { continue }
        return Set(text[text.index(after: colon)...].split(whereSeparator: \.isWhitespace))
      }
      return nil
    #else
      return nil
    #endif
  }
}
