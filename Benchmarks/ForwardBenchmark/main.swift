// Forward-pass throughput against a plain sgemm of the same shapes, measured
// side by side in one process: `swift run -c release forward-benchmark`.
import AEFilter
import AEFilterCore
import AETraining
import Glibc
import TutorialArchitecture

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median seconds of `body` over `runs` runs, after a warm-up.
func median(runs: Int, _ body: () -> Void) -> Double {
    for _ in 0..<3 { body() }
    var times: [Double] = []
    for _ in 0..<runs {
        let start = now()
        body()
        times.append(now() - start)
    }
    return times.sorted()[runs / 2]
}

let arguments = CommandLine.arguments
let batch = arguments.count > 1 ? Int(arguments[1]) ?? 100 : 100
let threads = arguments.count > 2 ? Int(arguments[2]) ?? 2 : 2
let runs = 200
var rng = RandomGenerator(seed: 1)
let model = Autoencoder(hiddenSize: 1176, rng: &rng)
let x = (0..<batch * 784).map { _ in rng.nextUnitFloat() }
var hidden = [Float](repeating: 0, count: batch * 1176)
var output = [Float](repeating: 0, count: batch * 784)
let flops = 2.0 * 2.0 * Double(batch) * 784 * 1176

print("batch \(batch), \(threads) threads, median of \(runs) runs")
print("what                                   ms      GFLOP/s   vs sgemm")
/// The OpenBLAS module `scripts/build-modules` builds in the root package.
let openBLASModule =
    #filePath.split(separator: "/").dropLast(3).reduce("") { $0 + "/" + $1 }
    + "/.build/x86_64-unknown-linux-gnu/lib/ae-filter/plugins/ae-filter-openblas.so"
// The built-in plugins and the modules beside the build (scripts/build-modules puts OpenBLAS's there).
let plugins = PluginSet.standard.forRun(files: [openBLASModule]) { path, reason in print("module \(path): \(reason)") }
var sgemmRate = 0.0
for name in ["blas", "cpu"] {
    let backend = try plugins.backends.make(name, threads: threads)
    let gemms = median(runs: runs) {
        model.fc1Weight.withUnsafeBufferPointer { w1 in
            backend.gemm(
                transA: false, transB: true, m: batch, n: 1176, k: 784, alpha: 1, a: x, lda: 784,
                b: w1.baseAddress!, ldb: 784, beta: 0, c: &hidden, ldc: 1176)
        }
        model.fc2Weight.withUnsafeBufferPointer { w2 in
            backend.gemm(
                transA: false, transB: true, m: batch, n: 784, k: 1176, alpha: 1, a: hidden, lda: 1176,
                b: w2.baseAddress!, ldb: 1176, beta: 0, c: &output, ldc: 784)
        }
    }
    let forward = median(runs: runs) {
        x.withUnsafeBufferPointer { xp in
            hidden.withUnsafeMutableBufferPointer { hp in
                output.withUnsafeMutableBufferPointer { op in
                    model.forward(
                        xp.baseAddress!, batch: batch, hidden: hp.baseAddress!, output: op.baseAddress!,
                        backend: backend)
                }
            }
        }
    }
    if name == "blas" { sgemmRate = flops / gemms }
    func row(_ label: String, _ seconds: Double) {
        let rate = flops / seconds / 1e9
        let padded = label + String(repeating: " ", count: max(1, 36 - label.count))
        let ratio = Int((flops / seconds / sgemmRate * 100).rounded())
        print("\(padded) \(String(format3(seconds * 1e3)))  \(String(format3(rate)))   \(ratio)%")
    }
    row("\(name): the two sgemm calls alone", gemms)
    row("\(name): whole forward pass", forward)
}

func format3(_ value: Double) -> String {
    let scaled = (value * 1000).rounded() / 1000
    let text = "\(scaled)"
    return text + String(repeating: " ", count: max(0, 8 - text.count))
}

// One training step (forward, backward, Adam) on `threads` threads.
do {
    let backend = try plugins.backends.make("blas", threads: 1)
    let sizes = [model.fc1Weight.count, model.fc1Bias.count, model.fc2Weight.count, model.fc2Bias.count]
    var trainer = TutorialTrainer(
        model: model, optimizer: Adam(sizes: sizes), backend: backend, batchSize: batch, threads: threads)
    let stepTime = median(runs: 100) {
        x.withUnsafeBufferPointer { xp in _ = trainer.step(noisy: xp.baseAddress!, clean: xp.baseAddress!, count: batch)
        }
    }
    let trainFlops = 5.0 * 2.0 * Double(batch) * 784 * 1176
    print("training step (5 GEMMs + Adam)        \(format3(stepTime * 1e3))  \(format3(trainFlops / stepTime / 1e9))")
}

// Each GEMM of a training step on its own.
do {
    let backend = try plugins.backends.make("blas", threads: threads)
    let h = 1176
    let d = 784
    let b = batch
    let big = [Float](repeating: 0.01, count: 1176 * 1176)
    var out = [Float](repeating: 0, count: 1176 * 1176)
    let shapes: [(String, Bool, Bool, Int, Int, Int, Int, Int, Int)] = [
        ("z1 = x·W1ᵀ      ", false, true, b, h, d, d, d, h),
        ("y = a1·W2ᵀ      ", false, true, b, d, h, h, h, d),
        ("dW2 = dz2ᵀ·a1   ", true, false, d, h, b, d, h, h),
        ("da1 = dz2·W2    ", false, false, b, h, d, d, h, h),
        ("dW1 = dz1ᵀ·x    ", true, false, h, d, b, h, d, d),
    ]
    for (label, ta, tb, m, n, k, lda, ldb, ldc) in shapes {
        let t = median(runs: 100) {
            backend.gemm(
                transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: big, lda: lda, b: big, ldb: ldb, beta: 0,
                c: &out, ldc: ldc)
        }
        print("\(label)                     \(format3(t * 1e3))  \(format3(2.0 * Double(m * n * k) / t / 1e9))")
    }
}
