import AEFilter
import AEFilterCore
import AEImageIO
import Benchmark
import Foundation
import TutorialArchitecture

/// The files the benchmarks read, relative to this source file.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").standardized
func bytes(_ path: String) -> [UInt8] { Array(try! Data(contentsOf: root.appendingPathComponent(path))) }

/// The OpenBLAS module `scripts/build-modules` builds in the root package.
let openBLASModule =
    #filePath.split(separator: "/").dropLast(4).reduce("") { $0 + "/" + $1 }
    + "/.build/x86_64-unknown-linux-gnu/lib/ae-filter/plugins/ae-filter-openblas.so"

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .instructions, .mallocCountTotal, .throughput],
        maxDuration: .seconds(3))

    // The built-in plugins and the modules beside the build (scripts/build-modules puts OpenBLAS's there).
    let plugins = PluginSet.standard.forRun(files: [openBLASModule]) { path, reason in
        print("module \(path): \(reason)")
    }
    let model = try! EmbeddedModels.load("tutorial", architectures: plugins.architectures)!.model as! Autoencoder
    var rng = RandomGenerator(seed: 1)
    let batch = 128
    let hidden = model.hiddenSize
    let pixels = Geometry.pixels
    let x = (0..<batch * pixels).map { _ in rng.nextUnitFloat() }

    // GEMM per backend: the forward pass's first multiply, one thread.
    for name in ["cpu", "blas"] {
        let backend = try! plugins.backends.make(name, threads: 1)
        Benchmark("GEMM \(name) 128x1176x784") { benchmark in
            var y = [Float](repeating: 0, count: batch * hidden)
            for _ in benchmark.scaledIterations {
                x.withUnsafeBufferPointer { a in
                    model.fc1Weight.withUnsafeBufferPointer { w in
                        y.withUnsafeMutableBufferPointer { c in
                            backend.gemm(
                                transA: false, transB: true, m: batch, n: hidden, k: pixels, alpha: 1,
                                a: a.baseAddress!, lda: pixels, b: w.baseAddress!, ldb: pixels, beta: 0,
                                c: c.baseAddress!, ldc: hidden)
                        }
                    }
                }
                blackHole(y)
            }
        }
        Benchmark("forward \(name), batch 128") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(model.forward(x, batch: batch, backend: backend)) }
        }
    }

    // Decoding and encoding one image.
    let inputs = [
        ("PNG 28x28", bytes("Samples/shirt.png")), ("JPEG 320x240 colour", bytes("Samples/dark-shirt-photo.jpg")),
        ("JPEG progressive", bytes("Tests/Fixtures/rgb-progressive.jpg")), ("PPM", bytes("Tests/Fixtures/pattern.ppm")),
    ]
    for (name, encoded) in inputs {
        Benchmark("decode \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Decode().process(EncodedImage(stream: 0, bytes: encoded)))
            }
        }
    }
    let shirt = try! Decode().process(EncodedImage(stream: 0, bytes: bytes("Samples/shirt.png")))
    let photo = try! Decode().process(EncodedImage(stream: 0, bytes: bytes("Samples/dark-shirt-photo.jpg")))
    let gray = GrayImage(width: 28, height: 28, pixels: shirt.pixels)
    Benchmark("encode PNG 28x28") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(EncodePNG().process(gray)) }
    }
    Benchmark("encode PNG 336x112 (triptych, scale 4)") { benchmark in
        let large = Render(emit: .triptych, scale: 4).process(
            Denoised(
                stream: 0, clean: Array(repeating: 0.5, count: 784), noisy: Array(repeating: 0.2, count: 784),
                output: Array(repeating: 0.7, count: 784)))
        for _ in benchmark.scaledIterations { blackHole(EncodePNG().process(large)) }
    }

    // Preprocessing: a 28x28 greyscale image (passes through) and a colour photo (fit, invert, resample).
    Benchmark("preprocess 28x28 grey") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Preprocess().process(shirt)) }
    }
    Benchmark("preprocess 320x240 colour photo") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Preprocess().process(photo)) }
    }

    // The whole chain on a batch of 128 PNGs, as one filter worker runs it.
    let settings: FilterSettings = {
        var s = FilterSettings()
        s.noise = try! plugins.noise.make("dropout", level: 0.5)
        return s
    }()
    let pipeline = FilterPipeline.make(
        model: model, backend: try! plugins.backends.make("blas", threads: 1), settings: settings)
    let records = (0..<128).map { InputRecord(stream: UInt64($0), payload: .bytes(bytes("Samples/shirt.png"))) }
    Benchmark("filter pipeline, 128 PNGs, one worker", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(pipeline.processBatch(records)) }
    }
}
