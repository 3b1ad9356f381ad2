import AEFilterCore
import AESystem
import CAESystem
import Glibc

/// One training step at a time: forward, MSE loss against the clean images,
/// backward through both layers, Adam.
///
/// A step runs on a team of `threads` threads. Each owns a block of hidden
/// units (rows of W1) and a block of output pixels (rows of W2): it does the
/// multiplies that produce its blocks, one backend call per thread, and
/// Adam on its rows, with four barriers a step. Each element is computed
/// the same way whatever the split, so the weights do not depend on the
/// thread count.
public struct Trainer {
    public let backend: any Backend
    public let batchSize: Int
    public let threads: Int
    public let hiddenSize: Int
    public let negativeSlope: Float
    /// Adam's settings and step count; its moments live in the trainer's buffers.
    private var settings: Adam
    private(set) var storage: Storage

    /// Trains `model` with `optimizer` on `threads` threads, `batchSize`
    /// images per step. Each thread calls `backend` with its own block, so
    /// a one-thread backend suits best; `auto` stands for its large backend.
    public init(model: Autoencoder, optimizer: Adam, backend: any Backend, batchSize: Int, threads: Int = 1) {
        precondition(optimizer.moments.map(\.expAvg.count) == Parameter.allCases.map { model[$0].count })
        // Blocks are smaller than whole multiplies; routing them by size would tie the result to the split.
        self.backend = (backend as? AutoBackend)?.largeBackend ?? backend
        self.batchSize = batchSize
        self.threads = max(1, threads)
        hiddenSize = model.hiddenSize
        negativeSlope = model.negativeSlope
        settings = optimizer
        settings.moments = []
        storage = Storage(model: model, moments: optimizer.moments, batchSize: batchSize, threads: self.threads)
    }

    public typealias Parameter = Autoencoder.Parameter

    /// The model as of the last step.
    public var model: Autoencoder { storage.model() }

    /// The optimizer as of the last step, moments included.
    public var optimizer: Adam {
        var adam = settings
        adam.moments = Parameter.allCases.map {
            Adam.Moments(expAvg: storage.copy(storage.expAvg[$0], $0), expAvgSq: storage.copy(storage.expAvgSq[$0], $0))
        }
        return adam
    }

    /// The learning rate of the next step.
    public var learningRate: Float {
        get { settings.learningRate }
        set { settings.learningRate = newValue }
    }

    /// Trains on `count` rows (≤ batchSize): `noisy` in, `clean` as the target.
    /// Returns the batch's mean squared error before the update.
    @discardableResult
    public mutating func step(noisy: UnsafePointer<Float>, clean: UnsafePointer<Float>, count: Int) -> Float {
        precondition(count > 0 && count <= batchSize)
        if !isKnownUniquelyReferenced(&storage) { storage = storage.duplicate() }
        settings.step += 1
        let (stepSize, correction2Root) = settings.coefficients(step: settings.step)
        let h = hiddenSize
        let d = Geometry.pixels
        let slope = negativeSlope
        let s = storage
        let backend = backend
        let adam = settings
        let team = s.team
        let (w1, b1) = (s.parameters[.fc1Weight], s.parameters[.fc1Bias])
        let (w2, b2) = (s.parameters[.fc2Weight], s.parameters[.fc2Bias])
        let (gb1, gb2) = (s.biasGradients.fc1, s.biasGradients.fc2)
        let (z1, a1, y, dz2, da1) = (s.preActivation, s.hidden, s.output, s.outputGradient, s.hiddenGradient)
        let scale = 2 / Float(count * d)

        team.run { member in
            let hidden = Self.share(h, member, team.size)
            let pixels = Self.share(d, member, team.size)
            let rows = Self.share(count, member, team.size)
            func update(_ parameter: Parameter, _ range: Range<Int>, gradients: UnsafeMutablePointer<Float>) {
                let i = range.lowerBound
                adam.apply(
                    parameters: s.parameters[parameter] + i, gradients: gradients, expAvg: s.expAvg[parameter] + i,
                    expAvgSq: s.expAvgSq[parameter] + i, count: range.count, stepSize: stepSize,
                    correction2Root: correction2Root)
            }

            // z1 = x·W1ᵀ + b1 and a1 = leaky(z1), this member's hidden units.
            if !hidden.isEmpty {
                backend.gemm(
                    transA: false, transB: true, m: count, n: hidden.count, k: d, alpha: 1, a: noisy, lda: d,
                    b: w1 + hidden.lowerBound * d, ldb: d, beta: 0, c: z1 + hidden.lowerBound, ldc: h)
                Elementwise.biasLeakyReLU(
                    z: z1 + hidden.lowerBound, a: a1 + hidden.lowerBound, bias: b1 + hidden.lowerBound,
                    rows: count, columns: hidden.count, stride: h, slope: slope, threads: 1)
            }
            team.barrier()
            // y = sigmoid(a1·W2ᵀ + b2), this member's pixels.
            if !pixels.isEmpty {
                backend.gemm(
                    transA: false, transB: true, m: count, n: pixels.count, k: h, alpha: 1, a: a1, lda: h,
                    b: w2 + pixels.lowerBound * h, ldb: h, beta: 0, c: y + pixels.lowerBound, ldc: d)
                Elementwise.biasSigmoid(
                    y: y + pixels.lowerBound, bias: b2 + pixels.lowerBound, rows: count, columns: pixels.count,
                    stride: d, threads: 1)
            }
            team.barrier()
            // dz2 = 2(y - t)/N · y(1 - y) and the loss, by rows.
            if !rows.isEmpty {
                let offset = rows.lowerBound * d
                Elementwise.sigmoidMSEGradient(
                    y: y + offset, target: clean + offset, dz: dz2 + offset, rows: rows.count, columns: d, scale: scale,
                    rowSums: s.rowSums + rows.lowerBound)
            }
            team.barrier()
            // da1 = dz2·W2, dz1 = da1 ⊙ leaky'(z1) and db1 for this member's hidden units.
            if !hidden.isEmpty {
                backend.gemm(
                    transA: false, transB: false, m: count, n: hidden.count, k: d, alpha: 1, a: dz2, lda: d,
                    b: w2 + hidden.lowerBound, ldb: h, beta: 0, c: da1 + hidden.lowerBound, ldc: h)
                for row in 0..<count {
                    let offset = row * h + hidden.lowerBound
                    Elementwise.leakyReLUGradient(da: da1 + offset, z: z1 + offset, count: hidden.count, slope: slope)
                }
                Elementwise.columnSums(
                    da1 + hidden.lowerBound, rows: count, columns: hidden.count, stride: h,
                    into: gb1 + hidden.lowerBound)
                update(.fc1Bias, hidden, gradients: gb1 + hidden.lowerBound)
            }
            // dW1 = dz1ᵀ·x a block of rows at a time, each block's Adam update while
            // the block is still in cache; W1's rows are this member's alone.
            let scratch = s.scratch[member]
            for block in Self.blocks(hidden, size: Storage.blockRows) {
                backend.gemm(
                    transA: true, transB: false, m: block.count, n: d, k: count, alpha: 1, a: da1 + block.lowerBound,
                    lda: h,
                    b: noisy, ldb: d, beta: 0, c: scratch, ldc: d)
                update(.fc1Weight, block.lowerBound * d..<block.upperBound * d, gradients: scratch)
            }
            // Every member has read W2 for da1 before any of it changes.
            team.barrier()
            // The same for dW2 = dz2ᵀ·a1 and db2, this member's pixels.
            if !pixels.isEmpty {
                Elementwise.columnSums(
                    dz2 + pixels.lowerBound, rows: count, columns: pixels.count, stride: d,
                    into: gb2 + pixels.lowerBound)
                update(.fc2Bias, pixels, gradients: gb2 + pixels.lowerBound)
            }
            for block in Self.blocks(pixels, size: Storage.blockRows) {
                backend.gemm(
                    transA: true, transB: false, m: block.count, n: h, k: count, alpha: 1, a: dz2 + block.lowerBound,
                    lda: d,
                    b: a1, ldb: h, beta: 0, c: scratch, ldc: h)
                update(.fc2Weight, block.lowerBound * h..<block.upperBound * h, gradients: scratch)
            }
        }
        var loss = 0.0
        for row in 0..<count { loss += s.rowSums[row] }
        return Float(loss / Double(count * d))
    }

    /// Runs `body` on each thread's share of `0..<count` (the rows of a batch,
    /// say), on the trainer's threads; `body` must be safe to run concurrently.
    public func forEachShare(of count: Int, _ body: (Range<Int>) -> Void) {
        let team = storage.team
        team.run { member in
            let range = Self.share(count, member, team.size)
            if !range.isEmpty { body(range) }
        }
    }

    /// `range` in consecutive blocks of at most `size`.
    static func blocks(_ range: Range<Int>, size: Int) -> [Range<Int>] {
        stride(from: range.lowerBound, to: range.upperBound, by: size).map { $0..<min($0 + size, range.upperBound) }
    }

    /// Member `part`'s share of `0..<count` among `parts`, cut at multiples of 8.
    static func share(_ count: Int, _ part: Int, _ parts: Int) -> Range<Int> {
        func cut(_ index: Int) -> Int {
            index == parts ? count : min(count, (count * index + parts * 4) / (parts * 8) * 8)
        }
        return cut(part)..<cut(part + 1)
    }
}

/// One value per parameter tensor of the autoencoder.
struct PerParameter<Value> {
    var values: [Value]

    init(_ make: (Autoencoder.Parameter) -> Value) {
        values = Autoencoder.Parameter.allCases.map(make)
    }

    subscript(parameter: Autoencoder.Parameter) -> Value { values[parameter.rawValue] }
}

extension Trainer {
    /// The buffers of one run, allocated page-aligned: parameters and Adam's
    /// averages per tensor, bias gradients, a block of weight gradients per
    /// member, and one batch's activations.
    final class Storage {
        let hiddenSize: Int
        let inputSize: Int
        let negativeSlope: Float
        let batchSize: Int
        let parameters: PerParameter<UnsafeMutablePointer<Float>>
        let expAvg: PerParameter<UnsafeMutablePointer<Float>>
        let expAvgSq: PerParameter<UnsafeMutablePointer<Float>>
        let biasGradients: (fc1: UnsafeMutablePointer<Float>, fc2: UnsafeMutablePointer<Float>)
        /// Per member: one block of weight gradients, `blockRows` rows.
        let scratch: [UnsafeMutablePointer<Float>]
        /// Rows of a weight-gradient block: up to 1.2 MB, within a core's L2
        /// with room for Adam's streams. (Smaller blocks repack the shared
        /// operand too often: 64 rows was slower than no blocks at all.)
        static let blockRows = 256
        let preActivation, hidden, output, outputGradient, hiddenGradient: UnsafeMutablePointer<Float>
        let rowSums: UnsafeMutablePointer<Double>
        let team: ThreadTeam

        init(model: Autoencoder, moments: [Adam.Moments], batchSize: Int, threads: Int) {
            let h = model.hiddenSize
            let d = model.inputSize
            hiddenSize = h
            inputSize = d
            negativeSlope = model.negativeSlope
            self.batchSize = batchSize
            parameters = PerParameter { Self.allocate(model[$0]) }
            expAvg = PerParameter { Self.allocate(moments[$0.rawValue].expAvg) }
            expAvgSq = PerParameter { Self.allocate(moments[$0.rawValue].expAvgSq) }
            biasGradients = (Self.allocate(count: h), Self.allocate(count: d))
            scratch = (0..<threads).map { _ in Self.allocate(count: Self.blockRows * max(h, d)) }
            preActivation = Self.allocate(count: batchSize * h)
            hidden = Self.allocate(count: batchSize * h)
            output = Self.allocate(count: batchSize * d)
            outputGradient = Self.allocate(count: batchSize * d)
            hiddenGradient = Self.allocate(count: batchSize * h)
            rowSums = .allocate(capacity: batchSize)
            team = ThreadTeam(size: threads)
        }

        deinit {
            let activations = [preActivation, hidden, output, outputGradient, hiddenGradient]
            for buffer in parameters.values + expAvg.values + expAvgSq.values + scratch + activations {
                free(buffer)
            }
            free(biasGradients.fc1)
            free(biasGradients.fc2)
            rowSums.deallocate()
        }

        /// The values of a tensor.
        func copy(_ buffer: UnsafeMutablePointer<Float>, _ parameter: Autoencoder.Parameter) -> [Float] {
            let count =
                parameter == .fc1Weight || parameter == .fc2Weight
                ? hiddenSize * inputSize
                : parameter == .fc1Bias ? hiddenSize : inputSize
            return Array(UnsafeBufferPointer(start: buffer, count: count))
        }

        /// The model the parameters hold.
        func model() -> Autoencoder {
            Autoencoder(
                hiddenSize: hiddenSize, inputSize: inputSize, negativeSlope: negativeSlope,
                fc1Weight: copy(parameters[.fc1Weight], .fc1Weight), fc1Bias: copy(parameters[.fc1Bias], .fc1Bias),
                fc2Weight: copy(parameters[.fc2Weight], .fc2Weight), fc2Bias: copy(parameters[.fc2Bias], .fc2Bias))
        }

        /// A copy for a trainer that was copied: same state, its own buffers and team.
        func duplicate() -> Storage {
            let moments = Autoencoder.Parameter.allCases.map {
                Adam.Moments(expAvg: copy(expAvg[$0], $0), expAvgSq: copy(expAvgSq[$0], $0))
            }
            return Storage(model: model(), moments: moments, batchSize: batchSize, threads: team.size)
        }
        /// Every step streams these buffers; large ones start on a 2 MiB boundary and ask for huge pages.
        static func allocate(_ values: [Float]) -> UnsafeMutablePointer<Float> {
            let buffer = allocate(count: values.count)
            buffer.update(from: values, count: values.count)
            return buffer
        }

        static func allocate(count: Int) -> UnsafeMutablePointer<Float> {
            let bytes = max(1, count) * MemoryLayout<Float>.stride
            let alignment = bytes >= 1 << 21 ? 1 << 21 : 64
            var raw: UnsafeMutableRawPointer?
            guard posix_memalign(&raw, alignment, bytes) == 0, let raw else {
                fatalError("out of memory: \(bytes) bytes")
            }
            CAESystem_prefer_huge_pages(raw, bytes)
            memset(raw, 0, bytes)
            return raw.bindMemory(to: Float.self, capacity: max(1, count))
        }
    }
}
