import AEFilterCore
import CAEUNetKernels

/// Convolutions of images stored NHWC (pixel by pixel, the channels of a
/// pixel together), as matrix products on a ``Backend``: each output pixel is
/// one row, so a backend whose rows are independent keeps every image's
/// result independent of the others in its batch.
///
/// Weights are kept as `[out][ky][kx][in]` (the channels of an offset
/// together); PyTorch's `Conv2d` stores `[out][in][ky][kx]`, see ``fromPyTorch(_:outputs:inputs:kernel:)-([Float],_,_,_)``.
public enum Convolution {
    /// The patches of `input` ([images, side, side, channels]) for a
    /// `kernel`×`kernel` convolution with "same" zero padding: one row of
    /// `kernel * kernel * channels` values per pixel, ordered (ky, kx, channel).
    public static func patches(
        _ input: UnsafePointer<Float>, images: Int, side: Int, channels: Int, kernel: Int,
        into columns: UnsafeMutablePointer<Float>
    ) {
        patches(input, side: side, channels: channels, kernel: kernel, pixels: 0..<images * side * side, into: columns)
    }

    /// The patch rows of `pixels` only, counted across the images, the first at `columns`.
    public static func patches(
        _ input: UnsafePointer<Float>, side: Int, channels: Int, kernel: Int, pixels: Range<Int>,
        into columns: UnsafeMutablePointer<Float>
    ) {
        let pad = kernel / 2
        let width = kernel * kernel * channels
        for pixel in pixels {
            let (image, place) = pixel.quotientAndRemainder(dividingBy: side * side)
            let (y, x) = place.quotientAndRemainder(dividingBy: side)
            let source = input + image * side * side * channels
            var row = columns + (pixel - pixels.lowerBound) * width
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

    /// The patch rows of `pixels` for the concatenation, channel by channel,
    /// of `below` ([images, side/2, side/2, belowChannels]) doubled by
    /// nearest neighbour and `skip` ([images, side, side, skipChannels]): the
    /// rows ``patches(_:side:channels:kernel:pixels:into:)`` makes of that
    /// concatenation, without making it.
    public static func joinedPatches(
        below: UnsafePointer<Float>, belowChannels: Int, skip: UnsafePointer<Float>, skipChannels: Int, side: Int,
        kernel: Int, pixels: Range<Int>, into columns: UnsafeMutablePointer<Float>
    ) {
        let pad = kernel / 2
        let half = side / 2
        let channels = belowChannels + skipChannels
        var row = columns
        for pixel in pixels {
            let (image, place) = pixel.quotientAndRemainder(dividingBy: side * side)
            let (y, x) = place.quotientAndRemainder(dividingBy: side)
            let belowImage = below + image * half * half * belowChannels
            let skipImage = skip + image * side * side * skipChannels
            for ky in 0..<kernel {
                let sy = y + ky - pad
                for kx in 0..<kernel {
                    let sx = x + kx - pad
                    if sy >= 0 && sy < side && sx >= 0 && sx < side {
                        row.update(from: belowImage + ((sy / 2) * half + sx / 2) * belowChannels, count: belowChannels)
                        (row + belowChannels).update(
                            from: skipImage + (sy * side + sx) * skipChannels, count: skipChannels)
                    } else {
                        row.update(repeating: 0, count: channels)
                    }
                    row += channels
                }
            }
        }
    }

    /// `output` ([pixels, outputs]) = patches · weightsᵀ + bias, then ReLU when `relu`.
    public static func forward(
        patches: UnsafePointer<Float>, pixels: Int, width: Int, weights: WeightMatrix,
        bias: UnsafePointer<Float>, outputs: Int, relu: Bool, into output: UnsafeMutablePointer<Float>,
        backend: any Backend
    ) {
        weights.multiply(
            patches, m: pixels, lda: width, rows: outputs, columns: width, into: output, ldc: outputs, backend: backend)
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
        return [Float](unsafeUninitializedCapacity: values.count) { result, initialized in
            let taps = kernel * kernel
            var target = 0
            for o in 0..<outputs {
                for tap in 0..<taps {
                    for i in 0..<inputs {
                        result[target] = values[(o * inputs + i) * taps + tap]
                        target += 1
                    }
                }
            }
            initialized = values.count
        }
    }

    /// PyTorch's `[out][in][ky][kx]` as `[out][ky][kx][in]`, half-precision
    /// weights kept as halves: a reordered copy, half the pages of floats,
    /// that multiplies to the same bits.
    public static func fromPyTorch(_ weights: WeightMatrix, outputs: Int, inputs: Int, kernel: Int) -> WeightMatrix {
        switch weights {
        case .floats(let values):
            return .floats(fromPyTorch(values, outputs: outputs, inputs: inputs, kernel: kernel))
        case .halves(let halves):
            precondition(halves.count == outputs * inputs * kernel * kernel)
            return .halves(
                HalfValues(count: halves.count) { result in
                    CAEUNetKernels_reorder_halves(halves.base, result, outputs, inputs, kernel * kernel)
                })
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
