import AEFilterCore
import AESystem
import AETraining

/// Trains a ``UNet`` (``Trainer`` with a ``UNetWorkspace``).
public typealias UNetTrainer = Trainer<UNetWorkspace>

/// The buffers of a U-Net's training and its arithmetic: each step's batch
/// is cut into groups of ``UNet/group`` images, fixed by the batch size
/// alone. The members of a team take whole groups, each group's gradients
/// land in a buffer of its own, and the buffers are summed in group order
/// before Adam, so the weights do not depend on the thread count, on any
/// backend. Parameters and Adam's averages are flat, layer by layer,
/// weights then bias; there is a pass per member.
public final class UNetWorkspace: TrainingWorkspace {
    let shape: UNet
    let parameterCount: Int
    let batchSize: Int
    let parameters: UnsafeMutablePointer<Float>
    let expAvg: UnsafeMutablePointer<Float>
    let expAvgSq: UnsafeMutablePointer<Float>
    let gradients: UnsafeMutablePointer<Float>
    let output: UnsafeMutablePointer<Float>
    public let rowSums: UnsafeMutablePointer<Double>
    let passes: [UNetPass]
    /// The model as of the step's start, whose weights the passes read.
    var current: UNet

    public init(model: UNet, moments: [Adam.Moments], batchSize: Int, threads: Int) {
        shape = model
        current = model
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
        let groups = Self.groups(batchSize).count
        gradients = .allocate(capacity: groups * parameterCount)
        gradients.initialize(repeating: 0, count: groups * parameterCount)
        output = .allocate(capacity: batchSize * Geometry.pixels)
        output.initialize(repeating: 0, count: batchSize * Geometry.pixels)
        rowSums = .allocate(capacity: batchSize)
        rowSums.initialize(repeating: 0, count: batchSize)
        passes = (0..<threads).map { _ in UNetPass(model: model, images: UNet.group) }
    }

    deinit {
        for buffer in [parameters, expAvg, expAvgSq, gradients, output] { buffer.deallocate() }
        rowSums.deallocate()
    }

    /// The groups of a batch of `count` images.
    static func groups(_ count: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: UNet.group).map { $0..<min($0 + UNet.group, count) }
    }

    /// The model the parameters hold now.
    public func model() -> UNet {
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

    public func moments() -> [Adam.Moments] {
        var offset = 0
        return shape.layers.flatMap { layer in
            [layer.weights.count, layer.bias.count].map { count in
                defer { offset += count }
                return Adam.Moments(
                    expAvg: Array(UnsafeBufferPointer(start: expAvg + offset, count: count)),
                    expAvgSq: Array(UnsafeBufferPointer(start: expAvgSq + offset, count: count)))
            }
        }
    }

    public func prepare(_ step: TrainingStep) {
        current = model()
    }

    /// The forward and backward passes of the member's groups, each group's gradients in its own buffer.
    public func loss(_ step: TrainingStep, member: Int, team: ThreadTeam) {
        let d = Geometry.pixels
        let model = current
        let groups = Self.groups(step.count)
        for index in Self.share(groups.count, member, team.size) {
            let group = groups[index]
            let start = group.lowerBound * d
            passes[member].forward(
                model, input: step.noisy + start, images: group.count, output: output + start, backend: step.backend)
            passes[member].backward(
                model, output: output + start, target: step.clean + start, images: group.count,
                gradients: gradients + index * parameterCount, scale: step.scale, rowSums: rowSums + group.lowerBound,
                backend: step.backend)
        }
    }

    /// Each member sums its parameters' gradients over the groups, in group order, then updates them.
    public func update(_ step: TrainingStep, member: Int, team: ThreadTeam) {
        let groups = Self.groups(step.count)
        let range = Self.share(parameterCount, member, team.size)
        guard !range.isEmpty else { return }
        let sum = gradients + range.lowerBound
        for index in 1..<max(1, groups.count) {
            let group = gradients + index * parameterCount + range.lowerBound
            for i in 0..<range.count { sum[i] += group[i] }
        }
        step.update(
            parameters: parameters + range.lowerBound, gradients: sum, expAvg: expAvg + range.lowerBound,
            expAvgSq: expAvgSq + range.lowerBound, count: range.count)
    }

    public static func evaluationBatches(members: Int) -> Int { 1 }

    /// Each image's squared error per pixel, the batch's groups shared among the members.
    public func squaredErrors(
        noisy: [UnsafeMutablePointer<Float>], clean: [UnsafeMutablePointer<Float>], counts: [Int],
        backend: any Backend, team: ThreadTeam
    ) -> [Double] {
        let d = Geometry.pixels
        let model = model()
        var terms: [Double] = []
        for (batch, count) in counts.enumerated() where count > 0 {
            let groups = Self.groups(count)
            let (x, t) = (noisy[batch], clean[batch])
            let y = UnsafeMutablePointer<Float>.allocate(capacity: count * d)
            let sums = UnsafeMutablePointer<Double>.allocate(capacity: count)
            defer {
                y.deallocate()
                sums.deallocate()
            }
            team.run { member in
                for index in Self.share(groups.count, member, team.size) {
                    let group = groups[index]
                    let offset = group.lowerBound * d
                    passes[member].forward(
                        model, input: x + offset, images: group.count, output: y + offset, backend: backend)
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
            for image in 0..<count { terms.append(sums[image] / Double(d)) }
        }
        return terms
    }
}

extension UNet: TrainableModel {
    public func makeTrainer(optimizer: Adam, backend: any Backend, batchSize: Int, threads: Int) -> any ModelTrainer {
        UNetTrainer(model: self, optimizer: optimizer, backend: backend, batchSize: batchSize, threads: threads)
    }
}
