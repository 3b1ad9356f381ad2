import CAESystem
import Glibc

/// One training step at a time: forward, MSE loss against the clean images,
/// backward through both layers, Adam. All matrix work goes to the backend.
public struct Trainer {
    public private(set) var model: Autoencoder
    public var optimizer: Adam
    public let backend: any Backend
    public let batchSize: Int

    // Scratch, sized for one batch.
    private var hidden: [Float]       // activations a1 = leaky(z1)
    private var preActivation: [Float] // z1
    private var output: [Float]       // y
    private var outputGradient: [Float] // dL/dz2
    private var hiddenGradient: [Float] // dL/da1, then dL/dz1
    private var gradW1: [Float], gradB1: [Float], gradW2: [Float], gradB2: [Float]

    /// Trains `model` with `optimizer` on `backend`, `batchSize` images per step.
    public init(model: Autoencoder, optimizer: Adam, backend: any Backend, batchSize: Int) {
        self.model = model
        self.optimizer = optimizer
        self.backend = backend
        self.batchSize = batchSize
        let h = model.hiddenSize, d = model.inputSize
        hidden = .init(repeating: 0, count: batchSize * h)
        preActivation = .init(repeating: 0, count: batchSize * h)
        output = .init(repeating: 0, count: batchSize * d)
        outputGradient = .init(repeating: 0, count: batchSize * d)
        hiddenGradient = .init(repeating: 0, count: batchSize * h)
        gradW1 = .init(repeating: 0, count: h * d)
        gradB1 = .init(repeating: 0, count: h)
        gradW2 = .init(repeating: 0, count: d * h)
        gradB2 = .init(repeating: 0, count: d)
        // Every step streams the weights, their gradients and Adam's moments.
        Self.preferHugePages(&gradW1)
        Self.preferHugePages(&gradW2)
        Self.preferHugePages(&self.model.fc1Weight)
        Self.preferHugePages(&self.model.fc2Weight)
        for index in self.optimizer.moments.indices {
            Self.preferHugePages(&self.optimizer.moments[index].m)
            Self.preferHugePages(&self.optimizer.moments[index].v)
        }
    }

    private static func preferHugePages(_ buffer: inout [Float]) {
        buffer.withUnsafeMutableBytes { CAESystem_prefer_huge_pages($0.baseAddress, $0.count) }
    }

    /// Trains on `count` rows (≤ batchSize): `noisy` in, `clean` as the target.
    /// Returns the batch's mean squared error before the update.
    @discardableResult
    public mutating func step(noisy: UnsafePointer<Float>, clean: UnsafePointer<Float>, count: Int) -> Float {
        precondition(count > 0 && count <= batchSize)
        let h = model.hiddenSize, d = model.inputSize, slope = model.negativeSlope
        let backend = self.backend
        let model = self.model

        // Forward: z1 = x·W1ᵀ + b1, a1 = leaky(z1), y = sigmoid(a1·W2ᵀ + b2).
        model.fc1Weight.withUnsafeBufferPointer { w1 in
            preActivation.withUnsafeMutableBufferPointer { z in
                backend.gemm(transA: false, transB: true, m: count, n: h, k: d, alpha: 1, a: noisy, lda: d,
                             b: w1.baseAddress!, ldb: d, beta: 0, c: z.baseAddress!, ldc: h)
            }
        }
        let threads = backend.threads
        preActivation.withUnsafeMutableBufferPointer { z in
            hidden.withUnsafeMutableBufferPointer { a in
                model.fc1Bias.withUnsafeBufferPointer { b1 in
                    Elementwise.biasLeakyReLU(
                        z: z.baseAddress!, a: a.baseAddress!, bias: b1.baseAddress!, rows: count, columns: h, slope: slope, threads: threads)
                }
            }
        }
        model.fc2Weight.withUnsafeBufferPointer { w2 in
            hidden.withUnsafeBufferPointer { a in
                output.withUnsafeMutableBufferPointer { y in
                    backend.gemm(transA: false, transB: true, m: count, n: d, k: h, alpha: 1, a: a.baseAddress!, lda: h,
                                 b: w2.baseAddress!, ldb: h, beta: 0, c: y.baseAddress!, ldc: d)
                }
            }
        }

        // Loss and dL/dz2 = 2(y - t)/N · y(1 - y), with bias gradient b2.
        let loss = output.withUnsafeMutableBufferPointer { y in
            outputGradient.withUnsafeMutableBufferPointer { dz in
                model.fc2Bias.withUnsafeBufferPointer { b2 in
                    Elementwise.biasSigmoid(y: y.baseAddress!, bias: b2.baseAddress!, rows: count, columns: d, threads: threads)
                    let sum = Elementwise.sigmoidMSEGradient(
                        y: y.baseAddress!, target: clean, dz: dz.baseAddress!, rows: count, columns: d,
                        scale: 2 / Float(count * d), threads: threads)
                    gradB2.withUnsafeMutableBufferPointer { Elementwise.columnSums(dz.baseAddress!, rows: count, columns: d, into: $0.baseAddress!) }
                    return sum
                }
            }
        }

        // dW2 = dz2ᵀ·a1, da1 = dz2·W2, dz1 = da1 ⊙ leaky'(z1), dW1 = dz1ᵀ·x.
        outputGradient.withUnsafeBufferPointer { dz in
            hidden.withUnsafeBufferPointer { a in
                gradW2.withUnsafeMutableBufferPointer { gw2 in
                    // β = 1: the optimizer left the gradient buffers zeroed.
                    backend.gemm(transA: true, transB: false, m: d, n: h, k: count, alpha: 1, a: dz.baseAddress!, lda: d,
                                 b: a.baseAddress!, ldb: h, beta: 1, c: gw2.baseAddress!, ldc: h)
                }
            }
            model.fc2Weight.withUnsafeBufferPointer { w2 in
                hiddenGradient.withUnsafeMutableBufferPointer { da in
                    backend.gemm(transA: false, transB: false, m: count, n: h, k: d, alpha: 1, a: dz.baseAddress!, lda: d,
                                 b: w2.baseAddress!, ldb: h, beta: 0, c: da.baseAddress!, ldc: h)
                }
            }
        }
        hiddenGradient.withUnsafeMutableBufferPointer { da in
            preActivation.withUnsafeBufferPointer { z in
                Elementwise.leakyReLUGradient(da: da.baseAddress!, z: z.baseAddress!, count: count * h, slope: slope)
            }
            gradB1.withUnsafeMutableBufferPointer { Elementwise.columnSums(da.baseAddress!, rows: count, columns: h, into: $0.baseAddress!) }
        }
        hiddenGradient.withUnsafeBufferPointer { dz in
            gradW1.withUnsafeMutableBufferPointer { gw1 in
                backend.gemm(transA: true, transB: false, m: h, n: d, k: count, alpha: 1, a: dz.baseAddress!, lda: h,
                             b: noisy, ldb: d, beta: 1, c: gw1.baseAddress!, ldc: d)
            }
        }

        applyOptimizer()
        return Float(loss / Double(count * d))
    }

    private mutating func applyOptimizer() {
        var optimizer = Adam(sizes: [])
        swap(&optimizer, &self.optimizer)
        defer { swap(&optimizer, &self.optimizer) }
        var (g0, g1, g2, g3) = ([Float](), [Float](), [Float](), [Float]())
        swap(&g0, &gradW1)
        swap(&g1, &gradB1)
        swap(&g2, &gradW2)
        swap(&g3, &gradB2)
        defer {
            swap(&g0, &gradW1)
            swap(&g1, &gradB1)
            swap(&g2, &gradW2)
            swap(&g3, &gradB2)
        }
        withParameters { parameters in
            g0.withUnsafeMutableBufferPointer { p0 in
                g1.withUnsafeMutableBufferPointer { p1 in
                    g2.withUnsafeMutableBufferPointer { p2 in
                        g3.withUnsafeMutableBufferPointer { p3 in
                            optimizer.update(parameters, gradients: [p0, p1, p2, p3], clearingGradients: true)
                        }
                    }
                }
            }
        }
    }

    private mutating func withParameters(_ body: ([UnsafeMutableBufferPointer<Float>]) -> Void) {
        model.fc1Weight.withUnsafeMutableBufferPointer { w1 in
            model.fc1Bias.withUnsafeMutableBufferPointer { b1 in
                model.fc2Weight.withUnsafeMutableBufferPointer { w2 in
                    model.fc2Bias.withUnsafeMutableBufferPointer { b2 in
                        body([w1, b1, w2, b2])
                    }
                }
            }
        }
    }
}
