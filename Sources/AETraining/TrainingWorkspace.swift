import AEFilterCore
import AESystem

/// What an architecture gives the ``Trainer``: the buffers of a run (its
/// parameters, Adam's moments, activations and gradients) and the
/// arithmetic on them, done by the members of the trainer's team.
///
/// The trainer runs a step in two phases with a barrier between:
/// ``loss(_:member:team:)`` leaves each image's squared error in
/// ``rowSums``; the trainer adds them, and only when the total is finite
/// does ``update(_:member:team:)`` compute the gradients and apply Adam.
/// A member may compute any block of the work, but a block's arithmetic
/// must not depend on the team's size, so that neither do the weights.
public protocol TrainingWorkspace: AnyObject {
    associatedtype Model: DenoisingModel

    /// The buffers for training `model` from `moments` (one pair per
    /// parameter tensor, in the order of the model's parameters), with up
    /// to `batchSize` images a step, on a team of `threads` members.
    init(model: Model, moments: [Adam.Moments], batchSize: Int, threads: Int)

    /// The model the parameters hold now.
    func model() -> Model

    /// Adam's moments now, one pair per parameter tensor.
    func moments() -> [Adam.Moments]

    /// Each image's sum of squared errors in the last step, one per image of the batch.
    var rowSums: UnsafeMutablePointer<Double> { get }

    /// Called on the trainer's thread before the team runs `step`.
    func prepare(_ step: TrainingStep)

    /// Member `member`'s part of the forward pass of `step` (and as much of
    /// the backward pass as does not change a parameter), ending with the
    /// ``rowSums`` of its images written; the trainer's barrier follows.
    func loss(_ step: TrainingStep, member: Int, team: ThreadTeam)

    /// Member `member`'s part of the gradients and Adam's update, after
    /// every member's ``loss(_:member:team:)`` and only for a finite loss.
    func update(_ step: TrainingStep, member: Int, team: ThreadTeam)

    /// How many evaluation batches the trainer prepares at once for a team of `members`.
    static func evaluationBatches(members: Int) -> Int

    /// The squared errors per pixel of the model on prepared batches:
    /// `noisy[b]` in, `clean[b]` the target, `counts[b]` images each (0 for
    /// none), on `team`. They come as terms the trainer adds to its total
    /// in order, so each architecture keeps its own order of summation.
    func squaredErrors(
        noisy: [UnsafeMutablePointer<Float>], clean: [UnsafeMutablePointer<Float>], counts: [Int],
        backend: any Backend, team: ThreadTeam
    ) -> [Double]

    /// Member `part`'s share of the `count` images of a batch among `parts`
    /// (the trainer's ``Trainer/forEachShare(of:_:)``).
    static func rows(_ count: Int, _ part: Int, _ parts: Int) -> Range<Int>
}

extension TrainingWorkspace {
    public func prepare(_ step: TrainingStep) {}

    /// Member `part`'s share of `0..<count` among `parts`: consecutive, as even as can be.
    public static func share(_ count: Int, _ part: Int, _ parts: Int) -> Range<Int> {
        count * part / parts..<count * (part + 1) / parts
    }

    public static func rows(_ count: Int, _ part: Int, _ parts: Int) -> Range<Int> {
        share(count, part, parts)
    }
}

/// One step as a ``TrainingWorkspace`` sees it: the batch, the backend and Adam's coefficients.
public struct TrainingStep {
    /// The inputs, with noise, and the targets: `count` images each.
    public let noisy: UnsafePointer<Float>
    public let clean: UnsafePointer<Float>
    public let count: Int
    public let backend: any Backend
    let adam: Adam
    let stepSize: Float
    let correction2Root: Float

    /// The factor of the loss's gradient: 2 / (images × pixels).
    public var scale: Float { 2 / Float(count * Geometry.pixels) }

    /// Adam's update of `count` parameters from their `gradients`, on the calling thread.
    public func update(
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        expAvg: UnsafeMutablePointer<Float>, expAvgSq: UnsafeMutablePointer<Float>, count: Int
    ) {
        adam.apply(
            parameters: parameters, gradients: gradients, expAvg: expAvg, expAvgSq: expAvgSq, count: count,
            stepSize: stepSize, correction2Root: correction2Root)
    }
}
