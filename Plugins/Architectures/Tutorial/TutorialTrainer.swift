import AEFilterCore
import AESystem
import AETraining
import CAESystem
import Glibc

/// Trains the tutorial's ``Autoencoder`` (``Trainer`` with a ``TutorialWorkspace``).
public typealias TutorialTrainer = Trainer<TutorialWorkspace>

extension Trainer where Workspace == TutorialWorkspace {
    /// The model as of the last step, as itself.
    public var autoencoder: Autoencoder { workspace.model() }
}

/// The buffers of the autoencoder's training, allocated page-aligned, and
/// its arithmetic: forward, MSE loss against the clean images, backward
/// through both layers, Adam.
///
/// Every product is cut into blocks whose shapes depend only on the model:
/// 14 blocks of hidden units (rows of W1) and 14 of output pixels (rows of
/// W2). Each member of the team takes whole blocks, does the multiplies that
/// produce them, one backend call per block, and Adam on their rows, with
/// four barriers a step. The thread count only decides who computes which
/// block, never how, so the weights do not depend on it on any backend or CPU.
public final class TutorialWorkspace: TrainingWorkspace {
    public typealias Parameter = Autoencoder.Parameter

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
    public let rowSums: UnsafeMutablePointer<Double>

    public init(model: Autoencoder, moments: [Adam.Moments], batchSize: Int, threads: Int) {
        precondition(moments.map(\.expAvg.count) == Parameter.allCases.map { model[$0].count })
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
        let rows = max(Self.blocks(of: h)[0].count, Self.blocks(of: d)[0].count)
        scratch = (0..<threads).map { _ in Self.allocate(count: rows * max(h, d)) }
        preActivation = Self.allocate(count: batchSize * h)
        hidden = Self.allocate(count: batchSize * h)
        output = Self.allocate(count: batchSize * d)
        outputGradient = Self.allocate(count: batchSize * d)
        hiddenGradient = Self.allocate(count: batchSize * h)
        rowSums = .allocate(capacity: batchSize)
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

    /// The model the parameters hold.
    public func model() -> Autoencoder {
        Autoencoder(
            hiddenSize: hiddenSize, inputSize: inputSize, negativeSlope: negativeSlope,
            fc1Weight: copy(parameters[.fc1Weight], .fc1Weight), fc1Bias: copy(parameters[.fc1Bias], .fc1Bias),
            fc2Weight: copy(parameters[.fc2Weight], .fc2Weight), fc2Bias: copy(parameters[.fc2Bias], .fc2Bias))
    }

    public func moments() -> [Adam.Moments] {
        Parameter.allCases.map { Adam.Moments(expAvg: copy(expAvg[$0], $0), expAvgSq: copy(expAvgSq[$0], $0)) }
    }

    /// The forward pass and the loss's gradient dz2, with three barriers.
    public func loss(_ step: TrainingStep, member: Int, team: ThreadTeam) {
        let (h, d, count, backend) = (hiddenSize, Geometry.pixels, step.count, step.backend)
        let (noisy, clean) = (step.noisy, step.clean)
        let (w1, b1) = (parameters[.fc1Weight], parameters[.fc1Bias])
        let (w2, b2) = (parameters[.fc2Weight], parameters[.fc2Bias])
        let (z1, a1, y, dz2) = (preActivation, hidden, output, outputGradient)
        let hiddenBlocks = Self.share(Self.blocks(of: h), member, team.size)
        let pixelBlocks = Self.share(Self.blocks(of: d), member, team.size)
        let rows = Self.rows(count, member, team.size)

        // z1 = x·W1ᵀ + b1 and a1 = leaky(z1), block by block of hidden units.
        for block in hiddenBlocks {
            backend.gemm(
                transA: false, transB: true, m: count, n: block.count, k: d, alpha: 1, a: noisy, lda: d,
                b: w1 + block.lowerBound * d, ldb: d, beta: 0, c: z1 + block.lowerBound, ldc: h)
            Elementwise.biasLeakyReLU(
                z: z1 + block.lowerBound, a: a1 + block.lowerBound, bias: b1 + block.lowerBound,
                rows: count, columns: block.count, stride: h, slope: negativeSlope, threads: 1)
        }
        team.barrier()
        // y = sigmoid(a1·W2ᵀ + b2), block by block of pixels.
        for block in pixelBlocks {
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
                y: y + offset, target: clean + offset, dz: dz2 + offset, rows: rows.count, columns: d,
                scale: step.scale, rowSums: rowSums + rows.lowerBound)
        }
    }

    /// The backward pass, each block's Adam update while it is in cache, with one barrier.
    public func update(_ step: TrainingStep, member: Int, team: ThreadTeam) {
        let (h, d, count, backend) = (hiddenSize, Geometry.pixels, step.count, step.backend)
        let noisy = step.noisy
        let w2 = parameters[.fc2Weight]
        let (gb1, gb2) = (biasGradients.fc1, biasGradients.fc2)
        let (z1, a1, dz2, da1) = (preActivation, hidden, outputGradient, hiddenGradient)
        let slope = negativeSlope
        let hiddenBlocks = Self.share(Self.blocks(of: h), member, team.size)
        let pixelBlocks = Self.share(Self.blocks(of: d), member, team.size)
        func update(_ parameter: Parameter, _ range: Range<Int>, gradients: UnsafeMutablePointer<Float>) {
            let i = range.lowerBound
            step.update(
                parameters: parameters[parameter] + i, gradients: gradients, expAvg: expAvg[parameter] + i,
                expAvgSq: expAvgSq[parameter] + i, count: range.count)
        }

        // For each block of hidden units: da1 = dz2·W2, dz1 = da1 ⊙ leaky'(z1),
        // db1, then dW1 = dz1ᵀ·x and its Adam update while it is in cache.
        let scratch = scratch[member]
        for block in hiddenBlocks {
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
        for block in pixelBlocks {
            Elementwise.columnSums(
                dz2 + block.lowerBound, rows: count, columns: block.count, stride: d, into: gb2 + block.lowerBound)
            update(.fc2Bias, block, gradients: gb2 + block.lowerBound)
            backend.gemm(
                transA: true, transB: false, m: block.count, n: h, k: count, alpha: 1, a: dz2 + block.lowerBound,
                lda: d, b: a1, ldb: h, beta: 0, c: scratch, ldc: h)
            update(.fc2Weight, block.lowerBound * h..<block.upperBound * h, gradients: scratch)
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
    public static func rows(_ count: Int, _ part: Int, _ parts: Int) -> Range<Int> {
        func cut(_ index: Int) -> Int {
            index == parts ? count : min(count, (count * index + parts * 4) / (parts * 8) * 8)
        }
        return cut(part)..<cut(part + 1)
    }

    /// The values of a tensor.
    func copy(_ buffer: UnsafeMutablePointer<Float>, _ parameter: Parameter) -> [Float] {
        let count =
            parameter == .fc1Weight || parameter == .fc2Weight
            ? hiddenSize * inputSize
            : parameter == .fc1Bias ? hiddenSize : inputSize
        return Array(UnsafeBufferPointer(start: buffer, count: count))
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

/// One value per parameter tensor of the autoencoder.
struct PerParameter<Value> {
    var values: [Value]

    init(_ make: (Autoencoder.Parameter) -> Value) {
        values = Autoencoder.Parameter.allCases.map(make)
    }

    subscript(parameter: Autoencoder.Parameter) -> Value { values[parameter.rawValue] }
}

extension Autoencoder: TrainableModel {
    public func makeTrainer(optimizer: Adam, backend: any Backend, batchSize: Int, threads: Int) -> any ModelTrainer {
        TutorialTrainer(model: self, optimizer: optimizer, backend: backend, batchSize: batchSize, threads: threads)
    }
}
