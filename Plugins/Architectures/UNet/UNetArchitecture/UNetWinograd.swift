import AEFilterCore
import AESystem
import CAEUNetKernels

/// A training pass's 3×3 convolutions as Winograd's F(2×2, 3×3) (see
/// `winograd.h`): 16 matrix products over 4×4 tiles, 2.25 times fewer
/// multiplications than the patches' product, in all three of a
/// convolution's products (forward, the input's and the weights' gradients).
/// The tiles are transformed a chunk at a time, so they stay in cache. The
/// filter's passes run the same transforms with the weights transformed
/// once per model (``UNetWinogradWeights``) and the backend's small-k
/// product (``Backend/gemmSmallK(m:n:k:a:lda:b:ldb:c:ldc:)``); training
/// keeps `gemm`, whose bits its tests pin.
final class UNetWinograd {
    /// Floats in each of `v` and `m`: about ``UNetPass/trainingChunkBytes``.
    let capacity: Int
    /// Transformed input tiles, and the products (or an output gradient's tiles).
    let v: UnsafeMutablePointer<Float>
    let m: UnsafeMutablePointer<Float>
    /// Transformed weights, and their gradient.
    let u: UnsafeMutablePointer<Float>
    let du: UnsafeMutablePointer<Float>
    /// Zeros for pixels past an image's edge, and a place for outputs there.
    let zeros: UnsafeMutablePointer<Float>
    let trash: UnsafeMutablePointer<Float>

    static func applies(to conv: UNet.Layer) -> Bool { conv.kernel == 3 }

    /// Buffers for `model`'s 3×3 convolutions, or nil when it has none.
    init?(model: UNet) {
        let layers = model.layers.filter(Self.applies)
        guard !layers.isEmpty else { return nil }
        let widest = layers.map { max($0.inputs, $0.outputs) }.max()!
        capacity = max(UNetPass.trainingChunkBytes / 4, 16 * (widest + Self.gap))
        let weights = layers.map { 16 * $0.inputs * $0.outputs }.max()!
        v = .allocate(capacity: capacity)
        m = .allocate(capacity: capacity)
        u = .allocate(capacity: weights)
        du = .allocate(capacity: weights)
        zeros = .allocate(capacity: widest)
        zeros.initialize(repeating: 0, count: widest)
        trash = .allocate(capacity: widest)
    }

    deinit {
        for buffer in [v, m, u, du, zeros, trash] { buffer.deallocate() }
    }

    /// Tiles of `images` images of side `size`, and how many a chunk takes for `conv`.
    func tiles(images: Int, size: Int, conv: UNet.Layer) -> (count: Int, chunk: Int) {
        let side = (size + 1) / 2
        return (images * side * side, (capacity / 16 - Self.gap) / max(conv.inputs, conv.outputs))
    }

    /// Floats between a chunk's 16 matrices of `count` rows of `channels`:
    /// a gap keeps them from sharing cache sets.
    static func pitch(_ count: Int, _ channels: Int) -> Int { count * channels + gap }
    static let gap = 16

    /// Tiles `first ..< first + count` of `source` transformed into `v`.
    func transform(_ source: UNetPass.Source, size: Int, conv: UNet.Layer, first: Int, count: Int) {
        switch source {
        case .plain(let input):
            CAEUNetKernels_winograd_input(
                nil, 0, input, Int32(conv.inputs), Int32(size), first, count, zeros, v,
                Self.pitch(count, conv.inputs))
        case .joined(let below, let belowChannels, let skip):
            CAEUNetKernels_winograd_input(
                below, Int32(belowChannels), skip, Int32(conv.inputs - belowChannels), Int32(size), first, count,
                zeros, v, Self.pitch(count, conv.inputs))
        }
    }

    /// The 16 products of a chunk: `c[e]` (`count`×`n`) = `a[e]` (`count`×`k`) · `b[e]` (`k`×`n`),
    /// by the backend's small-k product when `smallK`, else by its `gemm`.
    func products(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>, count: Int, k: Int,
        n: Int, smallK: Bool = false, backend: any Backend
    ) {
        let (pitchA, pitchC) = (Self.pitch(count, k), Self.pitch(count, n))
        for e in 0..<16 {
            if smallK {
                backend.gemmSmallK(
                    m: count, n: n, k: k, a: a + e * pitchA, lda: k, b: b + e * k * n, ldb: n, c: c + e * pitchC,
                    ldc: n)
            } else {
                backend.gemm(
                    transA: false, transB: false, m: count, n: n, k: k, alpha: 1, a: a + e * pitchA, lda: k,
                    b: b + e * k * n, ldb: n, beta: 0, c: c + e * pitchC, ldc: n)
            }
        }
    }

    /// `conv` of `source` (side `size`) plus its bias, then ReLU when `relu`,
    /// into `target`. With `transformed`, the filter's: its weights as
    /// ``UNetWinogradWeights`` keeps them, multiplied by the backend's
    /// small-k product; without, training's: transformed here, and `gemm`.
    func forward(
        _ source: UNetPass.Source, images: Int, size: Int, conv: UNet.Layer, into target: UnsafeMutablePointer<Float>,
        relu: Bool, transformed: UnsafePointer<Float>? = nil, backend: any Backend
    ) {
        if transformed == nil {
            conv.weights.floats.withUnsafeBufferPointer {
                CAEUNetKernels_winograd_weights_forward(
                    $0.baseAddress!, Int32(conv.outputs), Int32(conv.inputs), du, u)
            }
        }
        let weights = transformed ?? UnsafePointer(u)
        let (tiles, chunk) = tiles(images: images, size: size, conv: conv)
        for first in stride(from: 0, to: tiles, by: chunk) {
            let count = min(chunk, tiles - first)
            transform(source, size: size, conv: conv, first: first, count: count)
            products(
                v, weights, into: m, count: count, k: conv.inputs, n: conv.outputs, smallK: transformed != nil,
                backend: backend)
            conv.bias.withUnsafeBufferPointer {
                CAEUNetKernels_winograd_output(
                    m, Self.pitch(count, conv.outputs), first, count, Int32(size), Int32(conv.outputs),
                    $0.baseAddress!, relu ? 1 : 0, trash, target)
            }
        }
    }

    /// Back through `conv`, whose input was `source`: its weights' gradient
    /// into `weightGradient` (overwritten) and, when given, its input's.
    func backward(
        _ source: UNetPass.Source, images: Int, size: Int, conv: UNet.Layer, outputGradient: UnsafePointer<Float>,
        weightGradient: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
        backend: any Backend
    ) {
        if inputGradient != nil {
            conv.weights.floats.withUnsafeBufferPointer {
                CAEUNetKernels_winograd_weights($0.baseAddress!, Int32(conv.outputs), Int32(conv.inputs), 1, u)
            }
        }
        let (tiles, chunk) = tiles(images: images, size: size, conv: conv)
        let (inputs, outputs) = (conv.inputs, conv.outputs)
        for first in stride(from: 0, to: tiles, by: chunk) {
            let count = min(chunk, tiles - first)
            transform(source, size: size, conv: conv, first: first, count: count)
            CAEUNetKernels_winograd_output_gradient(
                outputGradient, Int32(size), Int32(outputs), first, count, zeros, m, Self.pitch(count, outputs))
            // du[e] (outputs × inputs) += m[e]ᵀ · v[e], chunk by chunk.
            for e in 0..<16 {
                backend.gemm(
                    transA: true, transB: false, m: outputs, n: inputs, k: count, alpha: 1,
                    a: m + e * Self.pitch(count, outputs), lda: outputs, b: v + e * Self.pitch(count, inputs),
                    ldb: inputs, beta: first == 0 ? 0 : 1,
                    c: du + e * inputs * outputs, ldc: inputs)
            }
            guard let inputGradient else { continue }
            // The input's gradient: the output gradient convolved with the kernel turned round.
            CAEUNetKernels_winograd_input(
                nil, 0, outputGradient, Int32(outputs), Int32(size), first, count, zeros, m,
                Self.pitch(count, outputs))
            products(m, u, into: v, count: count, k: outputs, n: inputs, backend: backend)
            CAEUNetKernels_winograd_output(
                v, Self.pitch(count, inputs), first, count, Int32(size), Int32(inputs), nil, 0, trash, inputGradient)
        }
        CAEUNetKernels_winograd_weights_gradient(du, Int32(outputs), Int32(inputs), weightGradient)
    }
}

/// A model's 3×3 kernels transformed for the filter's Winograd products
/// (`u[e]`, `inputs`×`outputs` each), made by the first pass that asks and
/// then only read: the passes of several threads share them. A ``UNet``
/// gets a new one whenever its layers change.
final class UNetWinogradWeights: @unchecked Sendable {
    private let lock = Lock()
    /// By layer index: where its 16 matrices start in `storage`.
    private var offsets: [Int: Int] = [:]
    private var storage: UnsafeMutablePointer<Float>?

    deinit { storage?.deallocate() }

    /// Makes them now, if no pass has (``UNet/warmUp(helper:)``).
    func prepare(_ model: UNet) {
        lock.locked { if storage == nil { make(model) } }
    }

    /// Layer `index` of `model`'s transformed kernel.
    func transformed(_ model: UNet, layer index: Int) -> UnsafePointer<Float> {
        lock.locked {
            if storage == nil { make(model) }
            return UnsafePointer(storage! + offsets[index]!)
        }
    }

    private func make(_ model: UNet) {
        var total = 0
        for (index, layer) in model.layers.enumerated() where UNetWinograd.applies(to: layer) {
            offsets[index] = total
            total += 16 * layer.inputs * layer.outputs
        }
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: max(1, total))
        let widest = model.layers.filter(UNetWinograd.applies).map { 16 * $0.inputs * $0.outputs }.max() ?? 1
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: widest)
        defer { scratch.deallocate() }
        for (index, offset) in offsets {
            let layer = model.layers[index]
            layer.weights.floats.withUnsafeBufferPointer {
                CAEUNetKernels_winograd_weights_forward(
                    $0.baseAddress!, Int32(layer.outputs), Int32(layer.inputs), scratch, storage + offset)
            }
        }
        self.storage = storage
    }
}
