// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for ae-filter, built against the root package:
//   scripts/fuzz [SECONDS]        (builds with -sanitize=fuzzer,address and runs each target)
// fuzz-decode: content-sniffed image decoding through the real C shims, stream
//   framing, and re-encoding. fuzz-checkpoint: the safetensors checkpoint parser.
let package = Package(
    name: "ae-filter-fuzz",
    dependencies: [.package(name: "ae-filter", path: "../..")],
    targets: [
        .target(name: "CFuzzer"),
        .executableTarget(
            name: "fuzz-decode",
            dependencies: [
                "CFuzzer", .product(name: "AEImageIO", package: "ae-filter"),
                .product(name: "AEFilterCore", package: "ae-filter"), .product(name: "AESystem", package: "ae-filter"),
            ]),
        .executableTarget(
            name: "fuzz-checkpoint",
            dependencies: [
                "CFuzzer", .product(name: "AEFilterCore", package: "ae-filter"),
                .product(name: "AEFilter", package: "ae-filter"),
            ]),
    ]
)
