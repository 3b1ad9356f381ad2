import CAEUNetKernels

/// 2×2 max pooling of NHWC images and its gradient, and the gradient of
/// doubling them by nearest neighbour (the U-Net's way down and up).
public enum Pooling {
    /// `output` [images, side/2, side/2, channels] = the largest of each 2×2;
    /// `chosen` records which of the four (for the gradient), when given.
    public static func maxPool(
        _ input: UnsafePointer<Float>, images: Int, side: Int, channels: Int, into output: UnsafeMutablePointer<Float>,
        chosen: UnsafeMutablePointer<UInt8>?
    ) {
        // PyTorch's max_pool2d keeps the first of equal values, in row order.
        CAEUNetKernels_max_pool(input, images, side, channels, output, chosen)
    }

    /// The gradient of ``maxPool(_:images:side:channels:into:chosen:)``: each
    /// output's gradient goes to the input it chose; the others get 0.
    public static func maxPoolGradient(
        _ gradient: UnsafePointer<Float>, chosen: UnsafePointer<UInt8>, images: Int, side: Int, channels: Int,
        into input: UnsafeMutablePointer<Float>
    ) {
        input.update(repeating: 0, count: images * side * side * channels)
        let offsets = cornerOffsets(side: side, channels: channels)
        forEachWindow(images: images, side: side, channels: channels) { source, corner in
            for c in 0..<channels {
                input[corner + offsets[Int(chosen[source + c])] + c] = gradient[source + c]
            }
        }
    }

    /// The four pixels of a 2×2 window, from its top-left one, in row order.
    static func cornerOffsets(side: Int, channels: Int) -> SIMD4<Int> {
        SIMD4(0, channels, side * channels, (side + 1) * channels)
    }

    /// Calls `body(halved, corner)` for each 2×2 window: the first float of
    /// its pixel in the halved image, and of its top-left pixel in the input.
    @inline(__always)
    static func forEachWindow(images: Int, side: Int, channels: Int, _ body: (Int, Int) -> Void) {
        let half = side / 2
        for image in 0..<images {
            for y in 0..<half {
                for x in 0..<half {
                    body(((image * half + y) * half + x) * channels, ((image * side + 2 * y) * side + 2 * x) * channels)
                }
            }
        }
    }

    /// The gradient of doubling [images, side, side, channels] by nearest
    /// neighbour, read from `gradient` (`stride` floats per pixel, at channel
    /// `offset`): each input pixel gets the sum of its four copies' gradients, in row order.
    public static func upsampleGradient(
        _ gradient: UnsafePointer<Float>, images: Int, side: Int, channels: Int, stride: Int, offset: Int,
        into input: UnsafeMutablePointer<Float>
    ) {
        let double = side * 2
        for image in 0..<images {
            for y in 0..<side {
                for x in 0..<side {
                    let target = input + ((image * side + y) * side + x) * channels
                    let corners = [(2 * y, 2 * x), (2 * y, 2 * x + 1), (2 * y + 1, 2 * x), (2 * y + 1, 2 * x + 1)]
                    for c in 0..<channels {
                        var sum: Float = 0
                        for (yy, xx) in corners {
                            sum += gradient[((image * double + yy) * double + xx) * stride + offset + c]
                        }
                        target[c] = sum
                    }
                }
            }
        }
    }
}
