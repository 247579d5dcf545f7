// swift-tools-version:6.2
// Neurona: image classification and segmentation on its own neural-network core.
import PackageDescription

/// Compiles a kernel module for `cpu` on x86-64. Elsewhere (arm64) the module is compiled for
/// the portable target and never called: CPUFeatures reports the baseline there. The flag is
/// "unsafe" to SwiftPM, which since tools-version 6.2 accepts it in a versioned dependency.
func targetCPU(_ cpu: String) -> [SwiftSetting] {
  #if arch(x86_64)
    return [.unsafeFlags(["-target-cpu", cpu])]
  #else
    return []
  #endif
}

let package = Package(
  name: "Neurona",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "Neurona", targets: ["Neurona"]),
    .library(name: "NeuronaImage", targets: ["NeuronaImage"]),
    .library(name: "NeuronaVision", targets: ["NeuronaVision"]),
    .executable(name: "classify", targets: ["classify"]),
    .executable(name: "segment", targets: ["segment"]),
    .executable(name: "neurona-examples", targets: ["neurona-examples"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // `segment serve`, `classify serve`: HTTP/1.1 on SwiftNIO alone (NeuronaServer).
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
  ],
  targets: [
    // MARK: - System libraries
    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CMalloc"),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),

    // MARK: - Libraries
    .target(
      name: "Neurona",
      dependencies: [
        "CBLAS", "CMalloc", "CCPUID", "NeuronaKernels", "NeuronaAVX2", "NeuronaAVX512",
      ]),
    // cpuid and xgetbv: which instruction sets the processor (and its OS) can run.
    .target(name: "CCPUID"),
    // Kernels compiled for AVX2 and FMA (x86-64 from Haswell and Zen on). Neurona calls them
    // only after finding both in the CPU's flags (Runtime/CPUFeatures.swift).
    .target(
      name: "NeuronaAVX2", dependencies: ["NeuronaKernels"], swiftSettings: targetCPU("haswell")),
    // The same kernels (NeuronaKernels, generic over the vector) compiled for AVX-512 F, BW, VL
    // and DQ (Skylake-X, Ice Lake, Sapphire Rapids, Zen 4); called only after a CPU check too.
    .target(
      name: "NeuronaAVX512", dependencies: ["NeuronaKernels"],
      swiftSettings: targetCPU("skylake-avx512")),
    // Kernels written once, generic over the SIMD vector and @inlinable: compiled into the
    // modules above for each instruction set, never run from here.
    .target(name: "NeuronaKernels"),
    .target(name: "CCodecShims", dependencies: ["CJPEG", "CPNG"]),
    .target(name: "NeuronaImage", dependencies: ["CPNG", "CJPEG", "CCodecShims"]),
    .target(name: "NeuronaVision", dependencies: ["Neurona", "NeuronaImage", "CZlib"]),
    // The HTTP service of `segment serve` and `classify serve`: routes, limits, the
    // inference queue, metrics and the page; no task logic of its own.
    .target(
      name: "NeuronaServer",
      dependencies: [
        "NeuronaVision",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ]),
    .target(
      name: "NeuronaCommands",
      dependencies: [
        "NeuronaVision", "NeuronaServer",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: - Executables
    .executableTarget(name: "classify", dependencies: ["Neurona", "NeuronaCommands"]),
    .executableTarget(name: "segment", dependencies: ["Neurona", "NeuronaCommands"]),
    .executableTarget(name: "neurona-examples", dependencies: ["Neurona", "NeuronaVision"]),
    .executableTarget(
      name: "neurona-bench",
      dependencies: [
        "Neurona", "NeuronaKernels", "NeuronaAVX2", "NeuronaAVX512", "NeuronaImage",
        "NeuronaVision",
      ]),

    // MARK: - Tests
    .target(
      name: "NeuronaTestSupport", dependencies: ["Neurona", "CZlib"],
      path: "Tests/NeuronaTestSupport"),
    .testTarget(
      name: "NeuronaTests",
      dependencies: [
        "Neurona", "NeuronaKernels", "NeuronaAVX2", "NeuronaAVX512", "NeuronaTestSupport",
      ]),
    .testTarget(
      name: "NeuronaImageTests", dependencies: ["NeuronaImage", "NeuronaTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "NeuronaVisionTests", dependencies: ["NeuronaVision", "NeuronaTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "CommandTests",
      dependencies: ["classify", "segment", "NeuronaImage", "NeuronaTestSupport"],
      exclude: ["Fixtures"]),
  ],
  swiftLanguageModes: [.v5]
)
