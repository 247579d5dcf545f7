// swift-tools-version:6.0
// Neurona: image classification and segmentation on its own neural-network core.
import PackageDescription


let package = Package(
  name: "Neurona",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "Neurona", targets: ["Neurona"]),
    .library(name: "NeuronaImage", targets: ["NeuronaImage"]),
    .executable(name: "neurona-examples", targets: ["neurona-examples"]),
  ],
  targets: [
    // MARK: - System libraries
    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),

    // MARK: - Libraries
    .target(name: "Neurona", dependencies: ["CBLAS", "CZlib"]),
    .target(name: "CCodecShims", dependencies: ["CJPEG", "CPNG"]),
    .target(name: "NeuronaImage", dependencies: ["CPNG", "CJPEG", "CCodecShims"]),

    // MARK: - Executables
    .executableTarget(name: "neurona-examples", dependencies: ["Neurona"]),
    .executableTarget(name: "neurona-bench", dependencies: ["NeuronaImage"]),

    // MARK: - Tests
    .target(name: "NeuronaTestSupport", dependencies: ["Neurona"], path: "Tests/NeuronaTestSupport"),
    .testTarget(name: "NeuronaTests", dependencies: ["Neurona", "NeuronaTestSupport"]),
    .testTarget(
      name: "NeuronaImageTests", dependencies: ["NeuronaImage"], exclude: ["Fixtures"]),
  ],
  swiftLanguageModes: [.v5]
)
