// swift-tools-version:6.0
// libFuzzer targets for Neurona's loaders (`make fuzz`; see Fuzz/README.md). Not part of the
// main package's build: the libraries come in through symlinks to ../Sources, so this package
// needs no dependency resolution, and `make fuzz` compiles everything with
// -sanitize=fuzzer,address so the loaders' own code is coverage-instrumented.
import PackageDescription

let fuzzers = ["FuzzPNG", "FuzzJPEG", "FuzzImage", "FuzzModelFile", "FuzzIDX"]

let package = Package(
  name: "NeuronaFuzz",
  targets: [
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas"),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib"),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng"),
    .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg"),
    .target(name: "Neurona", dependencies: ["CBLAS", "CZlib"]),
    .target(name: "CCodecShims", dependencies: ["CJPEG", "CPNG"]),
    .target(name: "NeuronaImage", dependencies: ["CPNG", "CJPEG", "CCodecShims"]),
    .target(name: "NeuronaVision", dependencies: ["Neurona", "NeuronaImage"]),
    .target(name: "FuzzSupport", dependencies: [], path: "Targets/FuzzSupport"),
  ]
    + fuzzers.map {
      .executableTarget(
        name: $0, dependencies: ["Neurona", "NeuronaImage", "NeuronaVision", "FuzzSupport"],
        path: "Targets/\($0)")
    },
  swiftLanguageModes: [.v5]
)
