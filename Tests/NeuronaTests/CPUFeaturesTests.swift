// The instruction-set level and OpenBLAS's kernel choice, with known answers: the machines of
// the choice's header (an Intel Xeon with AVX-512 that OpenBLAS 0.3.21 calls Prescott, a
// Zen 4 it calls Cooperlake), and the caps NEURONA_ISA puts on both.
import Foundation
import Neurona
import Testing

@Test func levelsParseAndOrder() {
  #expect(InstructionSet(name: "AVX512") == .avx512)
  #expect(InstructionSet(name: "avx2") == .avx2)
  #expect(InstructionSet(name: "baseline") == .baseline)
  #expect(InstructionSet(name: "sse9") == nil)
  #expect(InstructionSet.baseline < .avx2 && InstructionSet.avx2 < .avx512)
}

@Test func theActiveLevelIsWhatTheEnvironmentAsks() {
  // `make test` runs the suite once per level the CPU has, with NEURONA_ISA set.
  #expect(CPUFeatures.active <= CPUFeatures.available)
  if let raw = ProcessInfo.processInfo.environment["NEURONA_ISA"],
    let asked = InstructionSet(name: raw)
  {
    #expect(CPUFeatures.active == min(asked, CPUFeatures.available))
  }
  // cpuid and /proc/cpuinfo agree on this machine's AVX2 and AVX-512 F.
  if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
    let flags = Set(
      info.split(separator: "\n").first { $0.hasPrefix("flags") }?
        .split(whereSeparator: \.isWhitespace) ?? [])
    #expect(flags.contains("avx2") == (CPUFeatures.detected.avx2 != 0))
    #expect(flags.contains("avx512f") == (CPUFeatures.detected.avx512f != 0))
  }
}

@Test func blasKernelFollowsFeaturesNotModels() {
  // Intel Xeon family 6 model 207, unknown to OpenBLAS 0.3.21.
  #expect(BLASKernel.choice(current: "Prescott", for: .avx512, isAMD: false) == "SkylakeX")
  #expect(BLASKernel.choice(current: "Cooperlake", for: .avx512, isAMD: false) == nil)
  // Zen 4: AVX-512 in two halves; the AVX2 kernel is faster on convolution shapes.
  #expect(BLASKernel.choice(current: "Cooperlake", for: .avx512, isAMD: true) == "Haswell")
  #expect(BLASKernel.choice(current: "Zen", for: .avx512, isAMD: true) == nil)
  // An AVX2 CPU OpenBLAS does not know, and caps by NEURONA_ISA.
  #expect(BLASKernel.choice(current: "Prescott", for: .avx2, isAMD: false) == "Haswell")
  #expect(BLASKernel.choice(current: "SkylakeX", for: .avx2, isAMD: false) == "Haswell")
  #expect(BLASKernel.choice(current: "Haswell", for: .avx2, isAMD: false) == nil)
  #expect(BLASKernel.choice(current: "Haswell", for: .baseline, isAMD: false) == "Prescott")
  #expect(BLASKernel.choice(current: "Prescott", for: .baseline, isAMD: true) == nil)
}
