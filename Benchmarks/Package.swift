// swift-tools-version:6.1
import PackageDescription

// Microbenchmarks with package-benchmark (ordo-one/benchmark), kept out of the
// root package so that building and testing ae-filter never builds them.
// Linux only, like ae-filter: the code imports Glibc.
//   cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
//   cd Benchmarks && swift run -c release forward-benchmark [BATCH] [THREADS]
// Whole-process benchmarks against PyTorch and ImageMagick are the *.sh scripts here.
let package = Package(
    name: "ae-filter-benchmarks",
    dependencies: [
        .package(name: "ae-filter", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "AEFilterBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AEFilter", package: "ae-filter"),
                .product(name: "AEFilterCore", package: "ae-filter"),
                .product(name: "AEImageIO", package: "ae-filter"),
                .product(name: "TutorialArchitecture", package: "ae-filter"),
            ],
            path: "Benchmarks/AEFilterBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The forward pass against bare sgemm calls of the same shapes, side by side.
        .executableTarget(
            name: "forward-benchmark",
            dependencies: [
                .product(name: "AEFilter", package: "ae-filter"),
                .product(name: "AEFilterCore", package: "ae-filter"),
                .product(name: "AETraining", package: "ae-filter"),
                .product(name: "TutorialArchitecture", package: "ae-filter"),
            ],
            path: "ForwardBenchmark"
        ),
    ]
)
