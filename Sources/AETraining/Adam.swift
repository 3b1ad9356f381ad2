import CAEAdam
import Glibc

/// Adam with PyTorch's exact update order (`torch.optim.Adam`, no weight
/// decay), in PyTorch's vocabulary: `exp_avg` and `exp_avg_sq` are the
/// running averages of the gradient and of its square.
///
///     exp_avg = lerp(exp_avg, g, 1 - β1);  exp_avg_sq = β2·exp_avg_sq + (1 - β2)·g²
///     p -= (lr / (1 - β1^t)) · exp_avg / (√exp_avg_sq / √(1 - β2^t) + ε)
public struct Adam: Sendable {
    /// The two running averages of one parameter tensor.
    public struct Moments: Sendable, Equatable {
        public var expAvg: [Float]
        public var expAvgSq: [Float]

        /// Zero averages for a tensor of `count` values.
        public init(count: Int) {
            expAvg = [Float](repeating: 0, count: count)
            expAvgSq = expAvg
        }

        /// Averages saved from a run.
        public init(expAvg: [Float], expAvgSq: [Float]) {
            self.expAvg = expAvg
            self.expAvgSq = expAvgSq
        }
    }

    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// Steps taken so far.
    public var step: Int = 0
    /// One pair of averages per parameter tensor.
    public var moments: [Moments]

    /// Zero averages for parameter tensors of these sizes, with PyTorch's defaults.
    public init(
        sizes: [Int], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.moments = sizes.map { Moments(count: $0) }
    }

    /// The step size lr/(1 - β1^t) and √(1 - β2^t) of step `step` (from 1).
    public func coefficients(step: Int) -> (stepSize: Float, correction2Root: Float) {
        let t = Double(step)
        let correction1 = 1 - pow(Double(beta1), t)
        let correction2 = 1 - pow(Double(beta2), t)
        return (Float(Double(learningRate) / correction1), Float(correction2.squareRoot()))
    }

    /// One step on `count` elements, on the calling thread, with the
    /// coefficients of ``coefficients(step:)``.
    public func apply(
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        expAvg: UnsafeMutablePointer<Float>, expAvgSq: UnsafeMutablePointer<Float>, count: Int,
        stepSize: Float, correction2Root: Float
    ) {
        CAEAdam_step(
            parameters, gradients, expAvg, expAvgSq, count, beta1, beta2, epsilon, stepSize, correction2Root, 0)
    }
}
