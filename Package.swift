// swift-tools-version:6.1
import PackageDescription

// The core library and image I/O live in Sources/, swappable implementations
// (noise models, the OpenBLAS backend) in Plugins/, each its own target.
let package = Package(
    name: "ae-filter",
    products: [
        .executable(name: "ae-filter", targets: ["AEFilterCLI"]),
        .library(name: "AEFilterCore", targets: ["AEFilterCore"]),
        .library(name: "AEFilter", targets: ["AEFilter"]),
        .library(name: "AEImageIO", targets: ["AEImageIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target AEFilterCore`
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Core: math, model, checkpoints, stages, registries; the loops Swift
        // cannot vectorize in CAEKernels; memory advice in CAESystem.
        .target(name: "CAEKernels"),
        .target(name: "CAESystem"),
        .target(name: "AEFilterCore", dependencies: ["CAEKernels", "CAESystem"]),

        // C shims: the only code that calls libpng and libjpeg.
        .target(name: "CAEPNG", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z")]),
        .target(name: "CAEJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "AEImageIO", dependencies: ["AEFilterCore", "CAEPNG", "CAEJPEG"]),

        // Datasets: IDX files, gzip, checksums, download.
        .target(name: "CAEZlib", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "AEData", dependencies: ["AEFilterCore", "CAEZlib"]),

        // Plugins: each registers into the core's registries.
        .target(name: "NoiseModels", dependencies: ["AEFilterCore"], path: "Plugins/NoiseModels"),
        .target(name: "CAEOpenBLAS", path: "Plugins/CAEOpenBLAS", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "BLASBackend", dependencies: ["AEFilterCore", "CAEOpenBLAS"], path: "Plugins/BLASBackend"),

        // The default model, trained by `ae-filter train` (see README), embedded with #embed.
        .target(name: "CAEDefaultModel", exclude: ["default-model.safetensors"]),

        // The assembled product: standard registries, the filter pipeline, the default model.
        .target(name: "AEFilter", dependencies: ["AEFilterCore", "AEImageIO", "AEData", "NoiseModels", "BLASBackend", "CAEDefaultModel"]),
        .executableTarget(
            name: "AEFilterCLI",
            dependencies: [
                "AEFilter", "AEFilterCore", "AEImageIO", "AEData", "CAESystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/ae-filter"
        ),

        // Benchmarks: `swift run -c release forward-benchmark [BATCH] [THREADS]`.
        .executableTarget(name: "forward-benchmark", dependencies: ["AEFilter"], path: "Benchmarks/ForwardBenchmark"),

        // Tests: one target per library target, plus the CLI run as a process.
        .target(name: "TestSupport", dependencies: ["AEFilterCore"], path: "Tests/TestSupport"),
        .testTarget(name: "AEFilterCoreTests", dependencies: ["AEFilterCore", "CAEKernels", "TestSupport"]),
        .testTarget(name: "AEImageIOTests", dependencies: ["AEImageIO", "TestSupport"]),
        .testTarget(name: "AEDataTests", dependencies: ["AEData", "TestSupport"]),
        .testTarget(name: "NoiseModelsTests", dependencies: ["NoiseModels", "TestSupport"]),
        .testTarget(name: "AEFilterTests", dependencies: ["AEFilter", "TestSupport"]),
        .testTarget(name: "AEFilterCLITests", dependencies: ["AEImageIO", "TestSupport"]),
    ]
)
