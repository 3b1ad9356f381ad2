import AEFilterCore
import AESystem
import AETraining

/// Trains a ``UNet``: each step's batch is cut into groups of ``UNet/group``
/// images, fixed by the batch size alone. The threads of a team take whole
/// groups, each group's gradients land in a buffer of its own, and the
/// buffers are summed in group order before Adam, so the weights do not
/// depend on the thread count, on any backend.
public struct UNetTrainer: ModelTrainer {
    public let backend: any Backend
    public let batchSize: Int
    private var settings: Adam
    private var storage: Storage

    public init(model: UNet, optimizer: Adam, backend: any Backend, batchSize: Int, threads: Int) {
        self.backend = backend
        self.batchSize = batchSize
        settings = optimizer
        settings.moments = []
        storage = Storage(model: model, moments: optimizer.moments, batchSize: batchSize, threads: max(1, threads))
    }

    public var model: any DenoisingModel { storage.current() }

    public var optimizer: Adam {
        var adam = settings
        var offset = 0
        adam.moments = storage.shape.layers.flatMap { layer in
            [layer.weights.count, layer.bias.count].map { count in
                defer { offset += count }
                return Adam.Moments(
                    expAvg: Array(UnsafeBufferPointer(start: storage.expAvg + offset, count: count)),
                    expAvgSq: Array(UnsafeBufferPointer(start: storage.expAvgSq + offset, count: count)))
            }
        }
        return adam
    }

    public var learningRate: Float {
        get { settings.learningRate }
        set { settings.learningRate = newValue }
    }

    /// The groups of a batch of `count` images.
    static func groups(_ count: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: UNet.group).map { $0..<min($0 + UNet.group, count) }
    }

    public mutating func step(noisy: UnsafePointer<Float>, clean: UnsafePointer<Float>, count: Int) -> Float {
        precondition(count > 0 && count <= batchSize)
        if !isKnownUniquelyReferenced(&storage) { storage = storage.duplicate() }
        settings.step += 1
        let (stepSize, correction2Root) = settings.coefficients(step: settings.step)
        let s = storage
        let model = s.current()
        let backend = backend
        let adam = settings
        let d = Geometry.pixels
        let groups = Self.groups(count)
        let scale = 2 / Float(count * d)
        let total = s.parameterCount
        s.team.run { member in
            for index in Self.share(groups.count, member, s.team.size) {
                let group = groups[index]
                let start = group.lowerBound * d
                s.passes[member].forward(
                    model, input: noisy + start, images: group.count, output: s.output + start, backend: backend)
                s.passes[member].backward(
                    model, output: s.output + start, target: clean + start, images: group.count,
                    gradients: s.gradients + index * total, scale: scale, rowSums: s.rowSums + group.lowerBound,
                    backend: backend)
            }
            s.team.barrier()
            // A loss that is not finite means the run diverged: no update. Every
            // member sums the same rows in the same order, so all stop together.
            var loss = 0.0
            for row in 0..<count { loss += s.rowSums[row] }
            guard loss.isFinite else { return }
            // Each member sums its parameters' gradients over the groups, in group order, then updates them.
            let range = Self.share(total, member, s.team.size)
            guard !range.isEmpty else { return }
            let sum = s.gradients + range.lowerBound
            for index in 1..<max(1, groups.count) {
                let group = s.gradients + index * total + range.lowerBound
                for i in 0..<range.count { sum[i] += group[i] }
            }
            adam.apply(
                parameters: s.parameters + range.lowerBound, gradients: sum, expAvg: s.expAvg + range.lowerBound,
                expAvgSq: s.expAvgSq + range.lowerBound, count: range.count, stepSize: stepSize,
                correction2Root: correction2Root)
        }
        var loss = 0.0
        for row in 0..<count { loss += s.rowSums[row] }
        if !loss.isFinite { settings.step -= 1 }
        return Float(loss / Double(count * d))
    }

    public func meanSquaredError(
        images: ImageSet, noise: (any NoiseModel)?, seed: UInt64, stream: UInt64, batchSize: Int,
        shouldStop: () -> Bool
    ) -> Double {
        var rng = RandomGenerator(seed: seed, stream: stream)
        let d = Geometry.pixels
        let s = storage
        let model = s.current()
        let backend = backend
        var total = 0.0
        var start = 0
        var clean = [Float](repeating: 0, count: batchSize * d)
        var noisy = clean
        var output = clean
        var sums = [Double](repeating: 0, count: batchSize)
        while start < images.count {
            if shouldStop() { return .nan }
            // Noise is drawn in order, on this thread, as for the sequential evaluation.
            let count = min(batchSize, images.count - start)
            for i in 0..<count * d { clean[i] = Float(images.pixels[start * d + i]) / 255 }
            for i in 0..<count * d { noisy[i] = clean[i] }
            noisy.withUnsafeMutableBufferPointer {
                noise?.apply(to: UnsafeMutableBufferPointer(rebasing: $0[0..<count * d]), rng: &rng)
            }
            let groups = Self.groups(count)
            noisy.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    clean.withUnsafeBufferPointer { t in
                        sums.withUnsafeMutableBufferPointer { sums in
                            nonisolated(unsafe) let (x, y, t, sums) = (x, y, t, sums)
                            s.team.run { member in
                                for index in Self.share(groups.count, member, s.team.size) {
                                    let group = groups[index]
                                    let offset = group.lowerBound * d
                                    s.passes[member].forward(
                                        model, input: x.baseAddress! + offset, images: group.count,
                                        output: y.baseAddress! + offset, backend: backend)
                                    for image in group {
                                        var sum = 0.0
                                        for j in 0..<d {
                                            let difference = Double(y[image * d + j]) - Double(t[image * d + j])
                                            sum += difference * difference
                                        }
                                        sums[image] = sum
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for image in 0..<count { total += sums[image] / Double(d) }
            start += count
        }
        return total / Double(images.count)
    }

    public func forEachShare(of count: Int, _ body: (Range<Int>) -> Void) {
        let team = storage.team
        team.run { member in
            let range = Self.share(count, member, team.size)
            if !range.isEmpty { body(range) }
        }
    }

    /// Member `part`'s share of `0..<count` among `parts`.
    static func share(_ count: Int, _ part: Int, _ parts: Int) -> Range<Int> {
        count * part / parts..<count * (part + 1) / parts
    }
}

extension UNetTrainer {
    /// The buffers of a run: parameters and Adam's averages (flat, layer by
    /// layer, weights then bias), a gradient buffer per group, a pass per member.
    final class Storage {
        let shape: UNet
        let parameterCount: Int
        let batchSize: Int
        let parameters: UnsafeMutablePointer<Float>
        let expAvg: UnsafeMutablePointer<Float>
        let expAvgSq: UnsafeMutablePointer<Float>
        let gradients: UnsafeMutablePointer<Float>
        let output: UnsafeMutablePointer<Float>
        let rowSums: UnsafeMutablePointer<Double>
        let passes: [UNetPass]
        let team: ThreadTeam

        init(model: UNet, moments: [Adam.Moments], batchSize: Int, threads: Int) {
            shape = model
            parameterCount = UNetPass.offsets(model).count
            self.batchSize = batchSize
            parameters = .allocate(capacity: parameterCount)
            expAvg = .allocate(capacity: parameterCount)
            expAvgSq = .allocate(capacity: parameterCount)
            var offset = 0
            for (index, layer) in model.layers.enumerated() {
                for (part, values) in [layer.weights.floats, layer.bias].enumerated() {
                    (parameters + offset).initialize(from: values, count: values.count)
                    let moment = moments[2 * index + part]
                    (expAvg + offset).initialize(from: moment.expAvg, count: values.count)
                    (expAvgSq + offset).initialize(from: moment.expAvgSq, count: values.count)
                    offset += values.count
                }
            }
            let groups = UNetTrainer.groups(batchSize).count
            gradients = .allocate(capacity: groups * parameterCount)
            gradients.initialize(repeating: 0, count: groups * parameterCount)
            output = .allocate(capacity: batchSize * Geometry.pixels)
            output.initialize(repeating: 0, count: batchSize * Geometry.pixels)
            rowSums = .allocate(capacity: batchSize)
            rowSums.initialize(repeating: 0, count: batchSize)
            passes = (0..<threads).map { _ in UNetPass(model: model, images: UNet.group) }
            team = ThreadTeam(size: threads)
        }

        deinit {
            for buffer in [parameters, expAvg, expAvgSq, gradients, output] { buffer.deallocate() }
            rowSums.deallocate()
        }

        /// The model the parameters hold now.
        func current() -> UNet {
            var model = shape
            var offset = 0
            for index in model.layers.indices {
                let weights = model.layers[index].weights.count
                model.layers[index].weights = .floats(
                    Array(UnsafeBufferPointer(start: parameters + offset, count: weights)))
                offset += weights
                let bias = model.layers[index].bias.count
                model.layers[index].bias = Array(UnsafeBufferPointer(start: parameters + offset, count: bias))
                offset += bias
            }
            return model
        }

        /// A copy for a trainer that was copied: same state, its own buffers and team.
        func duplicate() -> Storage {
            var moments: [Adam.Moments] = []
            var offset = 0
            for layer in shape.layers {
                for count in [layer.weights.count, layer.bias.count] {
                    moments.append(
                        Adam.Moments(
                            expAvg: Array(UnsafeBufferPointer(start: expAvg + offset, count: count)),
                            expAvgSq: Array(UnsafeBufferPointer(start: expAvgSq + offset, count: count))))
                    offset += count
                }
            }
            return Storage(model: current(), moments: moments, batchSize: batchSize, threads: team.size)
        }
    }
}

extension UNet: TrainableModel {
    public func makeTrainer(optimizer: Adam, backend: any Backend, batchSize: Int, threads: Int) -> any ModelTrainer {
        UNetTrainer(model: self, optimizer: optimizer, backend: backend, batchSize: batchSize, threads: threads)
    }
}
