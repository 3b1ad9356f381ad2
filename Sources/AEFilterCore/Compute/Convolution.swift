/// Convolutions of images stored NHWC (pixel by pixel, the channels of a
/// pixel together), as matrix products on a ``Backend``: each output pixel is
/// one row, so a backend whose rows are independent keeps every image's
/// result independent of the others in its batch.
///
/// Weights are kept as `[out][ky][kx][in]` (the channels of an offset
/// together); PyTorch's `Conv2d` stores `[out][in][ky][kx]`, see ``fromPyTorch(_:outputs:inputs:kernel:)``.
public enum Convolution {
    /// The patches of `input` ([images, side, side, channels]) for a
    /// `kernel`×`kernel` convolution with "same" zero padding: one row of
    /// `kernel * kernel * channels` values per pixel, ordered (ky, kx, channel).
    public static func patches(
        _ input: UnsafePointer<Float>, images: Int, side: Int, channels: Int, kernel: Int,
        into columns: UnsafeMutablePointer<Float>
    ) {
        let pad = kernel / 2
        let width = kernel * kernel * channels
        for image in 0..<images {
            let source = input + image * side * side * channels
            for y in 0..<side {
                for x in 0..<side {
                    var row = columns + ((image * side + y) * side + x) * width
                    for ky in 0..<kernel {
                        let sy = y + ky - pad
                        for kx in 0..<kernel {
                            let sx = x + kx - pad
                            if sy >= 0 && sy < side && sx >= 0 && sx < side {
                                row.update(from: source + (sy * side + sx) * channels, count: channels)
                            } else {
                                row.update(repeating: 0, count: channels)
                            }
                            row += channels
                        }
                    }
                }
            }
        }
    }

    /// `output` ([pixels, outputs]) = patches · weightsᵀ + bias, then ReLU when `relu`.
    public static func forward(
        patches: UnsafePointer<Float>, pixels: Int, width: Int, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, outputs: Int, relu: Bool, into output: UnsafeMutablePointer<Float>,
        backend: any Backend
    ) {
        backend.gemm(
            transA: false, transB: true, m: pixels, n: outputs, k: width, alpha: 1, a: patches, lda: width,
            b: weights, ldb: width, beta: 0, c: output, ldc: outputs)
        for pixel in 0..<pixels {
            let row = output + pixel * outputs
            for o in 0..<outputs {
                let value = row[o] + bias[o]
                row[o] = relu && value < 0 ? 0 : value
            }
        }
    }

    /// PyTorch's `[out][in][ky][kx]` as `[out][ky][kx][in]`.
    public static func fromPyTorch(_ values: [Float], outputs: Int, inputs: Int, kernel: Int) -> [Float] {
        precondition(values.count == outputs * inputs * kernel * kernel)
        let taps = kernel * kernel
        return [Float](unsafeUninitializedCapacity: values.count) { result, initialized in
            values.withUnsafeBufferPointer { source in
                for o in 0..<outputs {
                    let from = source.baseAddress! + o * inputs * taps
                    let to = result.baseAddress! + o * inputs * taps
                    for i in 0..<inputs {
                        for tap in 0..<taps { to[tap * inputs + i] = from[i * taps + tap] }
                    }
                }
            }
            initialized = values.count
        }
    }

    /// `[out][ky][kx][in]` back in PyTorch's `[out][in][ky][kx]`.
    public static func toPyTorch(_ values: [Float], outputs: Int, inputs: Int, kernel: Int) -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        for o in 0..<outputs {
            for i in 0..<inputs {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        result[((o * inputs + i) * kernel + ky) * kernel + kx] =
                            values[((o * kernel + ky) * kernel + kx) * inputs + i]
                    }
                }
            }
        }
        return result
    }

    /// The weights that turn the patches of an output gradient into the
    /// input gradient: `[(ky, kx, out)][in]`, the kernel turned half round.
    public static func transposedKernel(
        _ weights: UnsafePointer<Float>, outputs: Int, inputs: Int, kernel: Int,
        into result: UnsafeMutablePointer<Float>
    ) {
        for o in 0..<outputs {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let source = weights + ((o * kernel + ky) * kernel + kx) * inputs
                    let target = result + (((kernel - 1 - ky) * kernel + (kernel - 1 - kx)) * outputs + o) * inputs
                    target.update(from: source, count: inputs)
                }
            }
        }
    }
}
