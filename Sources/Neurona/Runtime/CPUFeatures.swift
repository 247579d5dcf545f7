// What the processor can run beyond baseline x86-64, and which kernels the process uses.
// The NeuronaAVX2 and NeuronaAVX512 modules are compiled for those instruction sets; calling
// one on a processor without them would stop the program with an illegal instruction, so
// every caller asks here first. (This file is compiled for the baseline, like the rest of
// Neurona.) The features come from the processor itself (cpuid, xgetbv: CCPUID), not from
// /proc/cpuinfo's text, so a kernel that does not save the zmm registers rules AVX-512 out.
import CCPUID

#if canImport(Glibc)
  import Glibc
#endif

/// The instruction-set levels Neurona has kernels for, in order.
public enum InstructionSet: Int, Comparable, CaseIterable, CustomStringConvertible, Sendable {
  /// x86-64 (SSE2) or any other processor: the portable paths (im2col and sgemm).
  case baseline
  /// AVX2 and FMA (Haswell, Zen and later): the NeuronaAVX2 kernels, 8 floats a vector.
  case avx2
  /// AVX-512 F, BW, VL and DQ as well (Skylake-X, Ice Lake, Sapphire Rapids, Zen 4): the
  /// NeuronaAVX512 kernels, 16 floats a vector.
  case avx512

  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

  /// The name `NEURONA_ISA` takes.
  public var description: String {
    switch self {
    case .baseline: "baseline"
    case .avx2: "avx2"
    case .avx512: "avx512"
    }
  }

  /// Parses a `NEURONA_ISA` value.
  public init?(name: String) {
    guard let level = Self.allCases.first(where: { $0.description == name.lowercased() })
    else { return nil }
    self = level
  }
}

/// The processor's optional instruction sets, read once.
public enum CPUFeatures {
  /// What the processor itself reports (and its operating system saves).
  public static let detected: NeuronaCPUFeatures = neurona_cpu_features()

  /// The best level this processor can run.
  public static let available: InstructionSet = {
    let f = detected
    guard f.avx2 != 0, f.fma != 0 else { return .baseline }
    guard f.avx512f != 0, f.avx512bw != 0, f.avx512vl != 0, f.avx512dq != 0 else { return .avx2 }
    return .avx512
  }()

  /// The level the process runs at: the best available, or less when asked. `NEURONA_ISA`
  /// (`baseline`, `avx2`, `avx512`) caps it, so every path can be tested and timed on one
  /// machine; `NEURONA_NO_AVX2` (kept for older scripts) means `baseline`. Asking for more than
  /// the CPU has gives what it has, with a warning on stderr.
  public static let active: InstructionSet = {
    if getenv("NEURONA_NO_AVX2") != nil { return .baseline }
    guard let raw = getenv("NEURONA_ISA") else { return available }
    let name = String(cString: raw)
    guard let asked = InstructionSet(name: name) else {
      warn("NEURONA_ISA=\(name) is not one of baseline, avx2, avx512; using \(available)")
      return available
    }
    if asked > available { warn("NEURONA_ISA=\(name): this CPU has only \(available)") }
    return Swift.min(asked, available)
  }()

  /// Whether the NeuronaAVX2 kernels run (AVX2 and FMA present and not turned off).
  public static var hasAVX2AndFMA: Bool { active >= .avx2 }

  /// Whether the NeuronaAVX512 kernels run.
  public static var hasAVX512: Bool { active >= .avx512 }

  private static func warn(_ message: String) {
    fputs("neurona: \(message)\n", stderr)
  }
}
