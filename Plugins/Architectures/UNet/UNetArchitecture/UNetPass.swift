import AEFilterCore
import AESystem
import Glibc

/// The buffers of one pass of a group of images through a ``UNet``: every
/// activation the backward pass needs, the patches of a convolution, and the
/// gradients. One per thread; its group size is fixed when it is made.
package final class UNetPass: @unchecked Sendable {
    let images: Int
    let training: Bool
    let depth: Int
    let widths: [Int]
    /// Per level: the block's input, its first and second activations, and
    /// (encoder) the pooled output with the choices of the pooling. The
    /// decoder's input, the level below doubled beside the skip, is never
    /// made: its patches are (``Convolution/joinedPatches(below:belowChannels:skip:skipChannels:side:kernel:pixels:into:)``).
    var encoderInput: [UnsafeMutablePointer<Float>] = []
    var encoderFirst: [UnsafeMutablePointer<Float>] = []
    var encoderSecond: [UnsafeMutablePointer<Float>] = []
    var pooled: [UnsafeMutablePointer<Float>] = []
    var chosen: [UnsafeMutablePointer<UInt8>?] = []
    let bottleneckFirst: UnsafeMutablePointer<Float>
    let bottleneckSecond: UnsafeMutablePointer<Float>
    var decoderFirst: [UnsafeMutablePointer<Float>] = []
    var decoderSecond: [UnsafeMutablePointer<Float>] = []
    /// The head's output, then the image.
    let logits: UnsafeMutablePointer<Float>
    /// Patches of the widest convolution, and a transposed kernel.
    let patches: UnsafeMutablePointer<Float>
    /// A second chunk of patches, for ``HelpingHand`` (forward only), made when first needed.
    private var helperPatches: UnsafeMutablePointer<Float>?
    /// The patch rows `patches` holds: a chunk of about ``chunkBytes``
    /// (``trainingChunkBytes`` when training), which stays in cache; a
    /// one-image run has a few hundred pages fewer to fault in.
    let patchRows: Int
    /// The floats of the widest convolution's patch row.
    let patchWidth: Int
    static let chunkBytes = 128 << 10
    static let trainingChunkBytes = 512 << 10
    let kernelScratch: UnsafeMutablePointer<Float>
    /// Gradients flowing back: two ping-pong buffers as wide as any activation, and the skips'.
    let gradient: UnsafeMutablePointer<Float>
    let gradientOther: UnsafeMutablePointer<Float>
    var skipGradient: [UnsafeMutablePointer<Float>] = []
    /// The 3×3 convolutions run as Winograd products.
    let winograd: UNetWinograd?
    /// Whether the filter's 3×3 convolutions run as Winograd products:
    /// unless `AE_FILTER_WINOGRAD=0`, which keeps the patches' product.
    static let filterWinograd = getenv("AE_FILTER_WINOGRAD").map { String(cString: $0) != "0" } ?? true
    private var owned: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []

    /// Buffers for `images` images. A pass that is not `training` only runs
    /// forward: it keeps only the skips, every other activation takes turns
    /// in two buffers (a one-image run faults in half the pages), it has no
    /// gradient buffers, and nothing is cleared first, since the forward
    /// pass writes each activation whole before reading it.
    /// A pass runs its 3×3 convolutions as Winograd products unless
    /// `winograd` is false (the patches' product, for tests) or, forward
    /// only, ``filterWinograd`` is.
    package init(model: UNet, images: Int, training: Bool = true, winograd: Bool = true) {
        self.images = images
        self.training = training
        depth = model.depth
        let widths = (0..<model.depth).map { UNet.width($0, channels: model.channels) }
        self.widths = widths
        var allocations: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
        func floats(_ count: Int, gradient: Bool = false) -> UnsafeMutablePointer<Float> {
            let size = gradient && !training ? 1 : max(1, count)
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: size)
            if training { pointer.initialize(repeating: 0, count: size) }
            allocations.append((UnsafeMutableRawPointer(pointer), 4 * size))
            return pointer
        }
        func pixels(_ level: Int) -> Int { images * (UNet.side >> level) * (UNet.side >> level) }
        // Forward only: `first` and `second` take turns (each activation is
        // dead once the next is made), the skips stay.
        let largest = (0..<model.depth).map { pixels($0) * widths[$0] }.max()!
        let first = training ? nil : floats(largest)
        let second = training ? nil : floats(largest)
        func activation(_ count: Int, or shared: UnsafeMutablePointer<Float>?) -> UnsafeMutablePointer<Float> {
            shared ?? floats(count)
        }
        var widest = 0
        for level in 0..<model.depth {
            let width = widths[level]
            encoderInput.append(level == 0 ? floats(pixels(0)) : pooled[level - 1])
            encoderFirst.append(activation(pixels(level) * width, or: first))
            encoderSecond.append(floats(pixels(level) * width))
            pooled.append(activation(pixels(level + 1) * width, or: second))
            if training {
                let choices = UnsafeMutablePointer<UInt8>.allocate(capacity: pixels(level + 1) * width)
                choices.initialize(repeating: 0, count: pixels(level + 1) * width)
                allocations.append((UnsafeMutableRawPointer(choices), pixels(level + 1) * width))
                chosen.append(choices)
            } else {
                chosen.append(nil)
            }
            let below = level + 1 < model.depth ? widths[level + 1] : widths[model.depth - 1]
            decoderFirst.append(activation(pixels(level) * width, or: first))
            decoderSecond.append(activation(pixels(level) * width, or: second))
            skipGradient.append(floats(pixels(level) * width, gradient: true))
            widest = max(widest, pixels(level) * (below + width))
        }
        let deepest = widths[model.depth - 1]
        bottleneckFirst = activation(pixels(model.depth) * deepest, or: first)
        bottleneckSecond = activation(pixels(model.depth) * deepest, or: second)
        logits = floats(pixels(0))
        var patchWidth = 0
        var kernelSize = 0
        for layer in model.layers {
            patchWidth = max(patchWidth, layer.kernel * layer.kernel * max(layer.inputs, layer.outputs))
            kernelSize = max(kernelSize, layer.weights.count)
        }
        // Patches are made a chunk at a time (see `patchRows`).
        let chunk = training ? Self.trainingChunkBytes : Self.chunkBytes
        patchRows = min(pixels(0), max(16, chunk / (4 * patchWidth)))
        self.patchWidth = patchWidth
        patches = floats(patchRows * patchWidth)
        kernelScratch = floats(kernelSize, gradient: true)
        gradient = floats(widest, gradient: true)
        gradientOther = floats(widest, gradient: true)
        self.winograd = winograd && (training || Self.filterWinograd) ? UNetWinograd(model: model) : nil
        owned = allocations
    }

    deinit {
        for (pointer, _) in owned { pointer.deallocate() }
        helperPatches?.deallocate()
    }

    /// Writes every buffer of a forward-only pass once, the helper's patches
    /// included, so that its first pass faults in no page. Call it where it
    /// overlaps other work, before anyone else uses the pass.
    func touch() {
        if helperPatches == nil { helperPatches = .allocate(capacity: patchRows * patchWidth) }
        helperPatches!.initialize(repeating: 0, count: patchRows * patchWidth)
        for (pointer, bytes) in owned { pointer.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
    }

    /// Images up to which a forward pass shares its convolutions with the model's ``HelpingHand``.
    static let helpedImages = 2

    /// What a convolution reads: an activation, or a decoder's input (the
    /// level below doubled, beside the skip).
    enum Source {
        case plain(UnsafePointer<Float>)
        case joined(below: UnsafePointer<Float>, belowChannels: Int, skip: UnsafePointer<Float>)
    }

    /// The patch rows of `pixels` of `source` (side `size`) for `conv`, into `patches`.
    func patches(
        _ source: Source, size: Int, conv: UNet.Layer, pixels: Range<Int>, into patches: UnsafeMutablePointer<Float>
    ) {
        switch source {
        case .plain(let input):
            Convolution.patches(
                input, side: size, channels: conv.inputs, kernel: conv.kernel, pixels: pixels, into: patches)
        case .joined(let below, let belowChannels, let skip):
            Convolution.joinedPatches(
                below: below, belowChannels: belowChannels, skip: skip, skipChannels: conv.inputs - belowChannels,
                side: size, kernel: conv.kernel, pixels: pixels, into: patches)
        }
    }

    /// Runs `images` (≤ the pass's) images from `input` into `output`,
    /// keeping every activation for ``backward(_:output:target:images:gradients:scale:rowSums:backend:)``
    /// when the pass is for training.
    package func forward(
        _ model: UNet, input: UnsafePointer<Float>, images: Int, output: UnsafeMutablePointer<Float>,
        backend: any Backend
    ) {
        precondition(images <= self.images)
        let side = UNet.side
        encoderInput[0].update(from: input, count: images * side * side)
        var layer = 0
        // Each output row depends only on its patch row: on a backend whose
        // rows are independent (the filter's), chunks, and who runs them, change no result.
        let helper = !training && images <= Self.helpedImages && backend.rowsAreIndependent ? model.passes.helper : nil
        if helper != nil && helperPatches == nil { helperPatches = .allocate(capacity: patchRows * patchWidth) }
        let buffers = (patches, helperPatches ?? patches)
        func convolve(_ source: Source, level: Int, into target: UnsafeMutablePointer<Float>, relu: Bool) {
            let conv = model.layers[layer]
            let size = side >> level
            if let winograd, UNetWinograd.applies(to: conv) {
                winograd.forward(
                    source, images: images, size: size, conv: conv, into: target, relu: relu,
                    transformed: training ? nil : model.winogradWeights.transformed(model, layer: layer),
                    backend: backend)
                layer += 1
                return
            }
            let pixels = images * size * size
            // As many rows as the patch buffer holds, in even chunks, at least two for a helper.
            let fit = max(patchRows, patchRows * patchWidth / conv.width)
            let chunks = max((pixels + fit - 1) / fit, helper == nil ? 1 : min(pixels, 2))
            let rows = (pixels + chunks - 1) / chunks
            let run = { (chunk: Int, worker: Int) in
                let start = chunk * rows
                let end = min(pixels, start + rows)
                let patches = worker == 0 ? buffers.0 : buffers.1
                self.patches(source, size: size, conv: conv, pixels: start..<end, into: patches)
                conv.bias.withUnsafeBufferPointer { bias in
                    Convolution.forward(
                        patches: patches, pixels: end - start, width: conv.width, weights: conv.weights,
                        bias: bias.baseAddress!, outputs: conv.outputs, relu: relu,
                        into: target + start * conv.outputs, backend: backend)
                }
            }
            if let helper {
                helper.forEach(chunks, run)
            } else {
                for chunk in 0..<chunks { run(chunk, 0) }
            }
            layer += 1
        }
        for level in 0..<depth {
            convolve(.plain(encoderInput[level]), level: level, into: encoderFirst[level], relu: true)
            convolve(.plain(encoderFirst[level]), level: level, into: encoderSecond[level], relu: true)
            Pooling.maxPool(
                encoderSecond[level], images: images, side: side >> level, channels: widths[level],
                into: pooled[level], chosen: chosen[level])
        }
        convolve(.plain(pooled[depth - 1]), level: depth, into: bottleneckFirst, relu: true)
        convolve(.plain(bottleneckFirst), level: depth, into: bottleneckSecond, relu: true)
        var below = UnsafePointer(bottleneckSecond)
        var belowWidth = widths[depth - 1]
        // The decoder's layers come in state_dict order by level; it runs them deepest first.
        let decoderStart = layer
        for level in (0..<depth).reversed() {
            layer = decoderStart + 2 * level
            convolve(
                .joined(below: below, belowChannels: belowWidth, skip: encoderSecond[level]), level: level,
                into: decoderFirst[level], relu: true)
            convolve(.plain(decoderFirst[level]), level: level, into: decoderSecond[level], relu: true)
            below = UnsafePointer(decoderSecond[level])
            belowWidth = widths[level]
        }
        layer = decoderStart + 2 * depth
        convolve(.plain(decoderSecond[0]), level: 0, into: logits, relu: false)
        let head = model.layers[layer - 1]
        precondition(head.name == "head")
        Elementwise.sigmoid(logits, into: output, count: images * side * side)
    }
}

extension UNetPass {
    /// Where each layer's weights and bias start in a flat gradient buffer
    /// (layer order, weights then bias), and its length.
    package static func offsets(_ model: UNet) -> (weights: [Int], bias: [Int], count: Int) {
        var weights: [Int] = []
        var bias: [Int] = []
        var offset = 0
        for layer in model.layers {
            weights.append(offset)
            offset += layer.weights.count
            bias.append(offset)
            offset += layer.bias.count
        }
        return (weights, bias, offset)
    }

    /// The backward pass of the last ``forward(_:input:images:output:backend:)``:
    /// the MSE of `output` against `target`, scaled by `scale` (2 / the
    /// batch's pixels), back through every layer into `gradients` (flat, see
    /// ``offsets(_:)``, overwritten). Each image's sum of squared errors goes
    /// to `rowSums`.
    package func backward(
        _ model: UNet, output: UnsafePointer<Float>, target: UnsafePointer<Float>, images: Int,
        gradients: UnsafeMutablePointer<Float>, scale: Float, rowSums: UnsafeMutablePointer<Double>,
        backend: any Backend
    ) {
        let side = UNet.side
        let (weightOffsets, biasOffsets, _) = Self.offsets(model)
        // dz = scale·(y - t)·y(1 - y) at the head's output, per image.
        Elementwise.sigmoidMSEGradient(
            y: output, target: target, dz: gradient, rows: images, columns: side * side, scale: scale, rowSums: rowSums)
        var current = gradient
        var spare = gradientOther

        /// Back through convolution `index`, whose input was `input` at `level`:
        /// accumulates its gradients and, when `inputGradient` is given, writes the input's.
        func convolution(
            _ index: Int, input: Source, level: Int, outputGradient: UnsafePointer<Float>,
            inputGradient: UnsafeMutablePointer<Float>?
        ) {
            let conv = model.layers[index]
            let size = side >> level
            let pixels = images * size * size
            Elementwise.columnSums(
                outputGradient, rows: pixels, columns: conv.outputs, into: gradients + biasOffsets[index])
            if let winograd, UNetWinograd.applies(to: conv) {
                winograd.backward(
                    input, images: images, size: size, conv: conv, outputGradient: outputGradient,
                    weightGradient: gradients + weightOffsets[index], inputGradient: inputGradient, backend: backend)
                return
            }
            // A chunk of patch rows at a time, so they stay in cache: the
            // weights' gradient adds up chunk by chunk (the chunks depend
            // on the group's size only).
            let backWidth = conv.kernel * conv.kernel * conv.outputs
            let rows = max(1, patchRows * patchWidth / max(conv.width, backWidth))
            if inputGradient != nil {
                conv.weights.floats.withUnsafeBufferPointer {
                    Convolution.transposedKernel(
                        $0.baseAddress!, outputs: conv.outputs, inputs: conv.inputs, kernel: conv.kernel,
                        into: kernelScratch)
                }
            }
            for start in stride(from: 0, to: pixels, by: rows) {
                let end = min(pixels, start + rows)
                patches(input, size: size, conv: conv, pixels: start..<end, into: patches)
                backend.gemm(
                    transA: true, transB: false, m: conv.outputs, n: conv.width, k: end - start, alpha: 1,
                    a: outputGradient + start * conv.outputs, lda: conv.outputs, b: patches, ldb: conv.width,
                    beta: start == 0 ? 0 : 1, c: gradients + weightOffsets[index], ldc: conv.width)
                guard let inputGradient else { continue }
                Convolution.patches(
                    outputGradient, side: size, channels: conv.outputs, kernel: conv.kernel, pixels: start..<end,
                    into: patches)
                backend.gemm(
                    transA: false, transB: false, m: end - start, n: conv.inputs, k: backWidth, alpha: 1, a: patches,
                    lda: backWidth, b: kernelScratch, ldb: conv.inputs, beta: 0,
                    c: inputGradient + start * conv.inputs, ldc: conv.inputs)
            }
        }

        /// The gradient through a ReLU whose output was `activation`.
        func relu(_ gradient: UnsafeMutablePointer<Float>, _ activation: UnsafePointer<Float>, count: Int) {
            for i in 0..<count where activation[i] <= 0 { gradient[i] = 0 }
        }

        let decoderStart = 2 * depth + 2
        let head = decoderStart + 2 * depth
        convolution(head, input: .plain(decoderSecond[0]), level: 0, outputGradient: current, inputGradient: spare)
        swap(&current, &spare)
        // The decoder, from the top level down to the deepest.
        for level in 0..<depth {
            let size = side >> level
            let pixels = images * size * size
            let width = widths[level]
            let below = level + 1 < depth ? widths[level + 1] : widths[depth - 1]
            relu(current, decoderSecond[level], count: pixels * width)
            convolution(
                decoderStart + 2 * level + 1, input: .plain(decoderFirst[level]), level: level, outputGradient: current,
                inputGradient: spare)
            swap(&current, &spare)
            relu(current, decoderFirst[level], count: pixels * width)
            convolution(
                decoderStart + 2 * level,
                input: .joined(
                    below: level + 1 < depth ? decoderSecond[level + 1] : bottleneckSecond, belowChannels: below,
                    skip: encoderSecond[level]), level: level, outputGradient: current,
                inputGradient: spare)
            swap(&current, &spare)
            // current: the gradient of the concatenation; split it.
            for pixel in 0..<pixels {
                (skipGradient[level] + pixel * width).update(
                    from: current + pixel * (below + width) + below, count: width)
            }
            Pooling.upsampleGradient(
                current, images: images, side: size / 2, channels: below, stride: below + width, offset: 0, into: spare)
            swap(&current, &spare)
        }
        // The bottleneck.
        let deepest = widths[depth - 1]
        let bottom = images * (side >> depth) * (side >> depth)
        relu(current, bottleneckSecond, count: bottom * deepest)
        convolution(
            2 * depth + 1, input: .plain(bottleneckFirst), level: depth, outputGradient: current, inputGradient: spare)
        swap(&current, &spare)
        relu(current, bottleneckFirst, count: bottom * deepest)
        convolution(
            2 * depth, input: .plain(pooled[depth - 1]), level: depth, outputGradient: current, inputGradient: spare)
        swap(&current, &spare)
        // The encoder, from the deepest level up.
        for level in (0..<depth).reversed() {
            let size = side >> level
            let pixels = images * size * size
            let width = widths[level]
            Pooling.maxPoolGradient(
                current, chosen: chosen[level]!, images: images, side: size, channels: width, into: spare)
            swap(&current, &spare)
            for i in 0..<pixels * width { current[i] += skipGradient[level][i] }
            relu(current, encoderSecond[level], count: pixels * width)
            convolution(
                2 * level + 1, input: .plain(encoderFirst[level]), level: level, outputGradient: current,
                inputGradient: spare)
            swap(&current, &spare)
            relu(current, encoderFirst[level], count: pixels * width)
            convolution(
                2 * level, input: .plain(encoderInput[level]), level: level, outputGradient: current,
                inputGradient: level > 0 ? spare : nil)
            swap(&current, &spare)
        }
    }
}
