import CAEKernels
import Dispatch
import Glibc

/// Adam with PyTorch's exact update order (`torch.optim.Adam`, no weight decay):
///
///     m = lerp(m, g, 1 - β1);  v = β2·v + (1 - β2)·g²
///     p -= (lr / (1 - β1^t)) · m / (√v / √(1 - β2^t) + ε)
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// Steps taken so far.
    public var step: Int = 0
    /// First and second moments, one pair per parameter tensor.
    public var moments: [(m: [Float], v: [Float])]
    public var threads: Int

    /// Moment buffers for parameter tensors of these sizes, with PyTorch's defaults.
    public init(sizes: [Int], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, threads: Int = 1) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.threads = max(1, threads)
        self.moments = sizes.map { (m: [Float](repeating: 0, count: $0), v: [Float](repeating: 0, count: $0)) }
    }

    /// Applies one step to each parameter tensor with its gradient.
    public mutating func update(_ parameters: [UnsafeMutableBufferPointer<Float>], gradients: [UnsafeMutableBufferPointer<Float>]) {
        precondition(parameters.count == moments.count && gradients.count == moments.count)
        step += 1
        let (stepSize, correction2Root) = coefficients(step: step)
        for index in parameters.indices {
            let p = parameters[index], g = gradients[index]
            precondition(p.count == g.count && p.count == moments[index].m.count)
            // Moved out and back so the buffers are never copied.
            var (first, second) = ([Float](), [Float]())
            swap(&first, &moments[index].m)
            swap(&second, &moments[index].v)
            first.withUnsafeMutableBufferPointer { m in
                second.withUnsafeMutableBufferPointer { v in
                    Adam.kernel(
                        p: p, g: g, m: m, v: v, beta1: beta1, beta2: beta2, epsilon: epsilon,
                        stepSize: stepSize, correction2Root: correction2Root, threads: threads)
                }
            }
            swap(&first, &moments[index].m)
            swap(&second, &moments[index].v)
        }
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
        p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>, count: Int, stepSize: Float, correction2Root: Float
    ) {
        CAEKernels_adam(p, g, m, v, count, beta1, beta2, epsilon, stepSize, correction2Root, 0)
    }

    static func kernel(
        p: UnsafeMutableBufferPointer<Float>, g: UnsafeMutableBufferPointer<Float>,
        m: UnsafeMutableBufferPointer<Float>, v: UnsafeMutableBufferPointer<Float>,
        beta1: Float, beta2: Float, epsilon: Float, stepSize: Float, correction2Root: Float, threads: Int
    ) {
        let count = p.count
        let chunks = count >= 1 << 16 ? threads : 1
        nonisolated(unsafe) let (pp, gp, mp, vp) = (p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!)
        let work: @Sendable (Int) -> Void = { chunk in
            // Split on multiples of 8 so every chunk but the last is whole vectors.
            let start = (count * chunk / chunks) & ~7
            let end = chunk == chunks - 1 ? count : (count * (chunk + 1) / chunks) & ~7
            CAEKernels_adam(
                pp + start, gp + start, mp + start, vp + start, end - start, beta1, beta2, epsilon, stepSize,
                correction2Root, 0)
        }
        if chunks == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
        }
    }
}
