// swift-tools-version:6.1
import PackageDescription

// Sources/ holds the libraries and the executable, layered bottom-up:
//   AESystem (files, locks, threads, JSON, Base64)
//   AEFilterCore (plugin API, model and checkpoints, pipeline stages, compute)
//   AEImageIO, AEData, AETraining
//   AEFilter (inputs, outputs, the standard plugin set, the filter pipeline)
//   AEFilterCommands (the command-line commands) and ae-filter (main)
// Plugins/ holds the swappable implementations: noise models and backends,
// built in, and the plugin modules loaded at run time (Plugins/include holds
// their C contract; scripts/build-modules builds them with a C compiler).
let package = Package(
    name: "ae-filter",
    products: [
        .executable(name: "ae-filter", targets: ["ae-filter"]),
        .library(name: "AESystem", targets: ["AESystem"]),
        .library(name: "AEFilterCore", targets: ["AEFilterCore"]),
        .library(name: "AETraining", targets: ["AETraining"]),
        .library(name: "AEImageIO", targets: ["AEImageIO"]),
        .library(name: "AEData", targets: ["AEData"]),
        .library(name: "AEFilter", targets: ["AEFilter"]),
        .library(name: "AEFilterCommands", targets: ["AEFilterCommands"]),
        .library(name: "TutorialArchitecture", targets: ["TutorialArchitecture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target AEFilterCore`
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // System helpers: files, atomic writes, locks, threads, JSON, Base64;
        // memory advice and spin hints in CAESystem.
        .target(name: "CAESystem"),
        .target(name: "AESystem", dependencies: ["CAESystem"]),

        // The core: plugin API and registries, model and checkpoints, the
        // pipeline's stages and runner, the element-wise maths (half-precision
        // conversions and finiteness checks in CAENumerics).
        .target(name: "CAENumerics"),
        .target(name: "AEFilterCore", dependencies: ["AESystem", "CAENumerics"]),

        // Image I/O. libpng and libjpeg are called only from the C shims.
        .target(name: "CAEImage"),
        .target(name: "CAEPNG", dependencies: ["CAEImage"], linkerSettings: [.linkedLibrary("png16")]),
        .target(name: "CAEJPEG", dependencies: ["CAEImage"], linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "CAEZlib", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "AEImageIO", dependencies: ["AEFilterCore", "CAEImage", "CAEPNG", "CAEJPEG", "CAEZlib"]),

        // Datasets: IDX files, gzip, MD5, download (libcurl, dlopened by CAECurl on first use).
        .target(name: "CAECurl", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "AEData", dependencies: ["AEFilterCore", "CAEZlib", "CAECurl"]),

        // Training: the trainer every architecture plugs into, Adam (its loop
        // in CAEAdam), the run loop, evaluation.
        .target(name: "CAEAdam"),
        .target(name: "AETraining", dependencies: ["AEFilterCore", "AESystem", "CAEAdam", "CAESystem"]),

        // Plugins: each registers into the core's registries.
        .target(name: "NoiseModels", dependencies: ["AEFilterCore"], path: "Plugins/NoiseModels"),
        .target(name: "OutputFormats", dependencies: ["AEFilterCore", "AEImageIO"], path: "Plugins/OutputFormats"),
        .target(name: "CAECPUKernels", dependencies: ["CAENumerics"], path: "Plugins/Backends/CPU/CAECPUKernels"),
        .target(
            name: "CPUBackend", dependencies: ["AEFilterCore", "CAECPUKernels"], path: "Plugins/Backends/CPU/CPUBackend"
        ),

        // The default model, trained by `ae-filter train` (see README), embedded with #embed.
        .target(name: "CAEEmbeddedModels", exclude: ["tutorial.safetensors", "blind.safetensors"]),

        // Architectures: each a model, its loader and its trainer, with its
        // kernels and PyTorch reference in its own folder.
        .target(
            name: "TutorialArchitecture", dependencies: ["AEFilterCore", "AETraining", "AESystem", "CAESystem"],
            path: "Plugins/Architectures/Tutorial"),
        .target(name: "CAEUNetKernels", path: "Plugins/Architectures/UNet/CAEUNetKernels"),
        .target(
            name: "UNetArchitecture", dependencies: ["AEFilterCore", "AETraining", "AESystem", "CAEUNetKernels"],
            path: "Plugins/Architectures/UNet/UNetArchitecture"),

        // Loads plugin modules through the C contract in Plugins/include.
        .target(name: "CAEPluginHost", linkerSettings: [.linkedLibrary("dl")]),

        // The assembled product: inputs and outputs, the standard plugin set
        // and the modules, the filter pipeline, the default model.
        .target(
            name: "AEFilter",
            dependencies: [
                "AEFilterCore", "AEImageIO", "AEData", "NoiseModels", "OutputFormats", "CPUBackend",
                "TutorialArchitecture",
                "UNetArchitecture", "CAEPluginHost", "CAEEmbeddedModels",
            ]),

        // The commands, a library so that other executables and tests can run them.
        .target(
            name: "AEFilterCommands",
            dependencies: [
                "AEFilter", "AEFilterCore", "AETraining", "AEImageIO", "AEData", "CAESystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "CAEStartup", dependencies: ["CAESystem"]),
        .executableTarget(name: "ae-filter", dependencies: ["AEFilter", "AEFilterCommands", "CAEStartup"]),

        // Tests: one target per library target, plus the CLI run as a process.
        .target(
            name: "TestSupport", dependencies: ["AEFilterCore", "AEData", "AEFilter", "TutorialArchitecture"],
            path: "Tests/TestSupport"),
        .testTarget(name: "AESystemTests", dependencies: ["AESystem", "CAESystem", "TestSupport"]),
        .testTarget(
            name: "AEFilterCoreTests",
            dependencies: ["AEFilterCore", "CAENumerics", "CPUBackend", "TutorialArchitecture", "TestSupport"]),
        .testTarget(
            name: "AETrainingTests",
            dependencies: ["AEFilterCore", "AETraining", "AEFilter", "CAEAdam", "TestSupport"]),
        .testTarget(
            name: "TutorialArchitectureTests",
            dependencies: ["TutorialArchitecture", "AETraining", "CPUBackend", "TestSupport"]),
        .testTarget(
            name: "UNetArchitectureTests",
            dependencies: ["UNetArchitecture", "AETraining", "CPUBackend", "TestSupport"]),
        .testTarget(name: "AEImageIOTests", dependencies: ["AEImageIO", "TestSupport"]),
        .testTarget(name: "AEDataTests", dependencies: ["AEData", "TestSupport"]),
        .testTarget(name: "NoiseModelsTests", dependencies: ["NoiseModels"]),
        .testTarget(name: "CPUBackendTests", dependencies: ["CPUBackend", "AEFilterCore"]),
        .testTarget(name: "AEFilterTests", dependencies: ["AEFilter", "AETraining", "TestSupport"]),
        .testTarget(name: "AEFilterCommandsTests", dependencies: ["AEFilterCommands", "TestSupport"]),
        .testTarget(name: "AEFilterCLITests", dependencies: ["AEImageIO", "TestSupport"]),
    ]
)
