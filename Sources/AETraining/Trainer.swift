import AEFilterCore
import AESystem

/// The trainer every architecture plugs into with a ``TrainingWorkspace``:
/// Adam's settings and step count, the thread team, each step's loss (a
/// step whose loss is not finite changes nothing and does not count), and
/// the evaluation loop (noise drawn in batch order on the calling thread).
///
/// Copies share their buffers until one of them steps, which then works on
/// its own copy, with its own team.
public struct Trainer<Workspace: TrainingWorkspace>: ModelTrainer {
    public let backend: any Backend
    public let batchSize: Int
    /// Adam's settings and step count; its moments live in the workspace.
    private var settings: Adam
    public private(set) var workspace: Workspace
    private var team: ThreadTeam

    /// Trains `model` with `optimizer` on `threads` threads, `batchSize`
    /// images per step. Each thread calls `backend` with its own blocks, so
    /// a one-thread backend suits best.
    public init(model: Workspace.Model, optimizer: Adam, backend: any Backend, batchSize: Int, threads: Int = 1) {
        self.backend = backend
        self.batchSize = batchSize
        settings = optimizer
        settings.moments = []
        let threads = max(1, threads)
        workspace = Workspace(model: model, moments: optimizer.moments, batchSize: batchSize, threads: threads)
        team = ThreadTeam(size: threads)
    }

    /// The members of the team.
    public var threads: Int { team.size }

    public var model: any DenoisingModel { workspace.model() }

    public var optimizer: Adam {
        var adam = settings
        adam.moments = workspace.moments()
        return adam
    }

    public var learningRate: Float {
        get { settings.learningRate }
        set { settings.learningRate = newValue }
    }

    @discardableResult
    public mutating func step(noisy: UnsafePointer<Float>, clean: UnsafePointer<Float>, count: Int) -> Float {
        precondition(count > 0 && count <= batchSize)
        if !isKnownUniquelyReferenced(&workspace) {
            workspace = Workspace(
                model: workspace.model(), moments: workspace.moments(), batchSize: batchSize, threads: team.size)
            team = ThreadTeam(size: team.size)
        }
        settings.step += 1
        let (stepSize, correction2Root) = settings.coefficients(step: settings.step)
        let step = TrainingStep(
            noisy: noisy, clean: clean, count: count, backend: backend, adam: settings, stepSize: stepSize,
            correction2Root: correction2Root)
        let workspace = workspace
        workspace.prepare(step)
        let team = team
        let rowSums = workspace.rowSums
        team.run { member in
            workspace.loss(step, member: member, team: team)
            team.barrier()
            // A loss that is not finite means the run diverged: no update, so
            // the weights stay those of the last finite step. Every member
            // sums the same rows in the same order, so all stop together.
            var total = 0.0
            for row in 0..<count { total += rowSums[row] }
            guard total.isFinite else { return }
            workspace.update(step, member: member, team: team)
        }
        var loss = 0.0
        for row in 0..<count { loss += rowSums[row] }
        if !loss.isFinite { settings.step -= 1 }
        return Float(loss / Double(count * Geometry.pixels))
    }

    public func meanSquaredError(
        images: ImageSet, noise: (any NoiseModel)?, seed: UInt64, stream: UInt64, batchSize: Int,
        shouldStop: () -> Bool
    ) -> Double {
        var rng = RandomGenerator(seed: seed, stream: stream)
        let d = Geometry.pixels
        let batches = Workspace.evaluationBatches(members: team.size)
        let clean = (0..<batches).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: batchSize * d) }
        let noisy = (0..<batches).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: batchSize * d) }
        defer { for buffer in clean + noisy { buffer.deallocate() } }
        var counts = [Int](repeating: 0, count: batches)
        var total = 0.0
        var start = 0
        while start < images.count {
            if shouldStop() { return .nan }
            // Noise is drawn in batch order, on this thread.
            for batch in 0..<batches {
                let count = min(batchSize, images.count - start)
                counts[batch] = max(0, count)
                guard count > 0 else { continue }
                images.pixels.withUnsafeBufferPointer { pixels in
                    for i in 0..<count * d { clean[batch][i] = Float(pixels[start * d + i]) / 255 }
                }
                noisy[batch].update(from: clean[batch], count: count * d)
                noise?.apply(to: UnsafeMutableBufferPointer(start: noisy[batch], count: count * d), rng: &rng)
                start += count
            }
            let terms = workspace.squaredErrors(
                noisy: noisy, clean: clean, counts: counts, backend: backend, team: team)
            for term in terms { total += term }
        }
        return total / Double(images.count)
    }

    public func forEachShare(of count: Int, _ body: (Range<Int>) -> Void) {
        let team = team
        team.run { member in
            let range = Workspace.rows(count, member, team.size)
            if !range.isEmpty { body(range) }
        }
    }
}
