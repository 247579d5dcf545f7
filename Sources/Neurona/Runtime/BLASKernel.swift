// Which of OpenBLAS's kernels a CPU should run, decided from its features rather than from
// OpenBLAS's table of CPU models. A given OpenBLAS release knows only the CPUs that existed
// before it: 0.3.21 gives a recent Intel Xeon (family 6 model 207, AVX-512) its SSE3
// `Prescott` kernel, at a fifth of the SkylakeX kernel's sgemm rate (64 against 306 GFLOP/s
// on 2 cores, measured with `neurona-bench blas`). By features:
// - AVX-512 (F, BW, VL, DQ) on Intel → `SkylakeX` (full-width 512-bit FMA units).
// - AVX-512 on AMD (Zen 4 splits each 512-bit operation into two 256-bit halves) → `Haswell`:
//   on convolution-shaped products the AVX2 kernel is about 35 % faster there.
// - AVX2 and FMA → `Haswell`.
// - `NEURONA_ISA` caps the choice like Neurona's own kernels, so a capped run behaves as a CPU
//   of that level would (baseline → `Prescott`).
// A kernel OpenBLAS already picked that fits the level is kept (e.g. `Zen` on Zen 2).

/// OpenBLAS kernel names (`OPENBLAS_CORETYPE`) by instruction-set level.
public enum BLASKernel {
  /// The kernels that use AVX-512 vectors.
  static let avx512Kernels: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
  /// The kernels that use AVX2 and FMA and nothing wider.
  static let avx2Kernels: Set<String> = ["haswell", "zen"]
  /// The kernels that need more than baseline x86-64 with SSE3 (AVX, AVX2, AVX-512).
  static let vectorKernels: Set<String> =
    avx512Kernels.union(avx2Kernels).union([
      "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator",
    ])

  /// The kernel to switch to, or nil to keep `current` (OpenBLAS's own pick).
  /// - Parameters:
  ///   - current: `openblas_get_corename()`, any case.
  ///   - level: the instruction-set level the process runs at.
  ///   - isAMD: whether the CPU is AMD's (whose AVX-512 is double-pumped).
  /// - Returns: OpenBLAS's name of the kernel to use, or nil.
  public static func choice(current: String, for level: InstructionSet, isAMD: Bool) -> String? {
    let name = current.lowercased()
    switch level {
    case .avx512:
      if isAMD { return avx2Kernels.contains(name) ? nil : "Haswell" }
      return avx512Kernels.contains(name) ? nil : "SkylakeX"
    case .avx2:
      return avx2Kernels.contains(name) ? nil : "Haswell"
    case .baseline:
      return vectorKernels.contains(name) ? "Prescott" : nil
    }
  }
}
