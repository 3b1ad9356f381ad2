import AEFilterCore
import AESystem
import AETraining
import CAESystem
import Glibc

/// One training step at a time: forward, MSE loss against the clean images,
/// backward through both layers, Adam.
///
/// Every product is cut into blocks whose shapes depend only on the model:
/// 14 blocks of hidden units (rows of W1) and 14 of output pixels (rows of
/// W2). A step runs on a team of `threads` threads; each takes whole blocks,
/// does the multiplies that produce them, one backend call per block, and
/// Adam on their rows, with four barriers a step. The thread count only
/// decides who computes which block, never how, so the weights do not depend
/// on it on any backend or CPU.
public struct TutorialTrainer: ModelTrainer {
    public let backend: any Backend
    public let batchSize: Int
    public let threads: Int
    public let hiddenSize: Int
    public let negativeSlope: Float
    /// Adam's settings and step count; its moments live in the trainer's buffers.
    private var settings: Adam
    private(set) var storage: Storage

    /// Trains `model` with `optimizer` on `threads` threads, `batchSize`
    /// images per step. Each thread calls `backend` with its own blocks, so
    /// a one-thread backend suits best.
    public init(model: Autoencoder, optimizer: Adam, backend: any Backend, batchSize: Int, threads: Int = 1) {
        precondition(optimizer.moments.map(\.expAvg.count) == Parameter.allCases.map { model[$0].count })
        self.backend = backend
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
    public var model: any DenoisingModel { autoencoder }

    /// The model as of the last step, as itself.
    public var autoencoder: Autoencoder { storage.model() }

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
    /// Returns the batch's mean squared error before the update. When that
    /// is not finite, nothing is updated and the step does not count.
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

        let hiddenBlocks = Self.blocks(of: h)
        let pixelBlocks = Self.blocks(of: d)

        team.run { member in
            let hidden = Self.share(hiddenBlocks, member, team.size)
            let pixels = Self.share(pixelBlocks, member, team.size)
            let rows = Self.share(count, member, team.size)
            func update(_ parameter: Parameter, _ range: Range<Int>, gradients: UnsafeMutablePointer<Float>) {
                let i = range.lowerBound
                adam.apply(
                    parameters: s.parameters[parameter] + i, gradients: gradients, expAvg: s.expAvg[parameter] + i,
                    expAvgSq: s.expAvgSq[parameter] + i, count: range.count, stepSize: stepSize,
                    correction2Root: correction2Root)
            }

            // z1 = x·W1ᵀ + b1 and a1 = leaky(z1), block by block of hidden units.
            for block in hidden {
                backend.gemm(
                    transA: false, transB: true, m: count, n: block.count, k: d, alpha: 1, a: noisy, lda: d,
                    b: w1 + block.lowerBound * d, ldb: d, beta: 0, c: z1 + block.lowerBound, ldc: h)
                Elementwise.biasLeakyReLU(
                    z: z1 + block.lowerBound, a: a1 + block.lowerBound, bias: b1 + block.lowerBound,
                    rows: count, columns: block.count, stride: h, slope: slope, threads: 1)
            }
            team.barrier()
            // y = sigmoid(a1·W2ᵀ + b2), block by block of pixels.
            for block in pixels {
                backend.gemm(
                    transA: false, transB: true, m: count, n: block.count, k: h, alpha: 1, a: a1, lda: h,
                    b: w2 + block.lowerBound * h, ldb: h, beta: 0, c: y + block.lowerBound, ldc: d)
                Elementwise.biasSigmoid(
                    y: y + block.lowerBound, bias: b2 + block.lowerBound, rows: count, columns: block.count,
                    stride: d, threads: 1)
            }
            team.barrier()
            // dz2 = 2(y - t)/N · y(1 - y) and the loss, by rows (each row on its own).
            if !rows.isEmpty {
                let offset = rows.lowerBound * d
                Elementwise.sigmoidMSEGradient(
                    y: y + offset, target: clean + offset, dz: dz2 + offset, rows: rows.count, columns: d, scale: scale,
                    rowSums: s.rowSums + rows.lowerBound)
            }
            team.barrier()
            // A loss that is not finite means the run diverged: no update, so
            // the weights stay those of the last finite step. Every member
            // sums the same rows in the same order, so all stop together.
            var total = 0.0
            for row in 0..<count { total += s.rowSums[row] }
            guard total.isFinite else { return }
            // For each block of hidden units: da1 = dz2·W2, dz1 = da1 ⊙ leaky'(z1),
            // db1, then dW1 = dz1ᵀ·x and its Adam update while it is in cache.
            let scratch = s.scratch[member]
            for block in hidden {
                backend.gemm(
                    transA: false, transB: false, m: count, n: block.count, k: d, alpha: 1, a: dz2, lda: d,
                    b: w2 + block.lowerBound, ldb: h, beta: 0, c: da1 + block.lowerBound, ldc: h)
                for row in 0..<count {
                    let offset = row * h + block.lowerBound
                    Elementwise.leakyReLUGradient(da: da1 + offset, z: z1 + offset, count: block.count, slope: slope)
                }
                Elementwise.columnSums(
                    da1 + block.lowerBound, rows: count, columns: block.count, stride: h, into: gb1 + block.lowerBound)
                update(.fc1Bias, block, gradients: gb1 + block.lowerBound)
                backend.gemm(
                    transA: true, transB: false, m: block.count, n: d, k: count, alpha: 1, a: da1 + block.lowerBound,
                    lda: h, b: noisy, ldb: d, beta: 0, c: scratch, ldc: d)
                update(.fc1Weight, block.lowerBound * d..<block.upperBound * d, gradients: scratch)
            }
            // Every member has read W2 for da1 before any of it changes.
            team.barrier()
            // The same for db2 and dW2 = dz2ᵀ·a1, block by block of pixels.
            for block in pixels {
                Elementwise.columnSums(
                    dz2 + block.lowerBound, rows: count, columns: block.count, stride: d, into: gb2 + block.lowerBound)
                update(.fc2Bias, block, gradients: gb2 + block.lowerBound)
                backend.gemm(
                    transA: true, transB: false, m: block.count, n: h, k: count, alpha: 1, a: dz2 + block.lowerBound,
                    lda: d, b: a1, ldb: h, beta: 0, c: scratch, ldc: h)
                update(.fc2Weight, block.lowerBound * h..<block.upperBound * h, gradients: scratch)
            }
        }
        var loss = 0.0
        for row in 0..<count { loss += s.rowSums[row] }
        if !loss.isFinite { settings.step -= 1 }
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

    /// The fixed blocks of a dimension of `count`: 14 of equal size (a
    /// multiple of 4, at least 8), the last one shorter. They depend on the
    /// model alone, never on the thread count.
    static func blocks(of count: Int) -> [Range<Int>] {
        let size = max(8, ((count + 13) / 14 + 3) / 4 * 4)
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    /// Member `part`'s share of `blocks` among `parts`: consecutive whole blocks.
    static func share(_ blocks: [Range<Int>], _ part: Int, _ parts: Int) -> ArraySlice<Range<Int>> {
        blocks[blocks.count * part / parts..<blocks.count * (part + 1) / parts]
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

extension TutorialTrainer {
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
        /// Per member: the weight gradients of one block of rows.
        let scratch: [UnsafeMutablePointer<Float>]
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
            let rows = max(TutorialTrainer.blocks(of: h)[0].count, TutorialTrainer.blocks(of: d)[0].count)
            scratch = (0..<threads).map { _ in Self.allocate(count: rows * max(h, d)) }
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

extension Autoencoder: TrainableModel {
    public func makeTrainer(optimizer: Adam, backend: any Backend, batchSize: Int, threads: Int) -> any ModelTrainer {
        TutorialTrainer(model: self, optimizer: optimizer, backend: backend, batchSize: batchSize, threads: threads)
    }
}
