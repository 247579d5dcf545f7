// swift-tools-version:6.2
// libFuzzer targets for Neurona's loaders (`make fuzz`; see Fuzz/README.md). A package of its
// own that depends on the main one by path, so it always builds what the main package builds;
// `make fuzz` compiles everything with -sanitize=fuzzer,address, so the loaders' own code is
// coverage-instrumented too.
import Foundation
import PackageDescription

let fuzzers = ["FuzzPNG", "FuzzJPEG", "FuzzImage", "FuzzModelFile", "FuzzIDX", "FuzzTFLite"]

/// The main package's identity: the name of the folder it is in (whatever a clone calls it).
let neurona = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
  name: "NeuronaFuzz",
  dependencies: [.package(path: "..")],
  targets: [
    .target(name: "FuzzSupport", dependencies: [], path: "Targets/FuzzSupport")
  ]
    + fuzzers.map {
      .executableTarget(
        name: $0,
        dependencies: [
          .product(name: "Neurona", package: neurona),
          .product(name: "NeuronaImage", package: neurona),
          .product(name: "NeuronaVision", package: neurona), "FuzzSupport",
        ],
        path: "Targets/\($0)")
    },
  swiftLanguageModes: [.v5]
)
