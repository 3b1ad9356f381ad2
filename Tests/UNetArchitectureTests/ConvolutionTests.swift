import AEFilterCore
import CPUBackend
import TestSupport
import Testing
import UNetArchitecture

@Suite struct ConvolutionTests {
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<count).map { _ in rng.nextUnitFloat() * 2 - 1 }
    }

    /// A decoder's patches, made from the level below and the skip, are the
    /// rows the concatenation itself would give, for any range of pixels.
    @Test(arguments: [0..<72, 5..<41, 71..<72])
    func joinedPatchesAreThoseOfTheConcatenation(pixels: Range<Int>) {
        let (images, side, belowChannels, skipChannels, kernel) = (2, 6, 3, 2, 3)
        let half = side / 2
        let channels = belowChannels + skipChannels
        let below = Self.values(images * half * half * belowChannels, seed: 1)
        let skip = Self.values(images * side * side * skipChannels, seed: 2)
        var joined: [Float] = []
        for image in 0..<images {
            for y in 0..<side {
                for x in 0..<side {
                    let b = ((image * half + y / 2) * half + x / 2) * belowChannels
                    let s = ((image * side + y) * side + x) * skipChannels
                    joined += below[b..<b + belowChannels] + skip[s..<s + skipChannels]
                }
            }
        }
        let width = kernel * kernel * channels
        var expected = [Float](repeating: .nan, count: pixels.count * width)
        var got = expected
        Convolution.patches(joined, side: side, channels: channels, kernel: kernel, pixels: pixels, into: &expected)
        Convolution.joinedPatches(
            below: below, belowChannels: belowChannels, skip: skip, skipChannels: skipChannels, side: side,
            kernel: kernel, pixels: pixels, into: &got)
        #expect(firstDifference(bits: got, expected) == nil)
        #expect(!expected.contains { $0.isNaN })
    }

    /// Half-precision weights stay halves, reordered like floats, and multiply
    /// to the widened floats' bits, wherever the halves lie.
    @Test(arguments: [0, 1])
    func halfWeightsReorderAndMultiplyLikeTheirFloats(misalignment: Int) {
        let (outputs, inputs, kernel, pixels) = (5, 7, 3, 11)
        let count = outputs * inputs * kernel * kernel
        let floats = Self.values(count, seed: 3).map { Float(Float16($0)) }
        var bytes = [UInt8](repeating: 0, count: 2 * count + misalignment)
        for (index, value) in floats.enumerated() {
            let bits = Float16(value).bitPattern
            bytes[misalignment + 2 * index] = UInt8(bits & 0xff)
            bytes[misalignment + 2 * index + 1] = UInt8(bits >> 8)
        }
        let halves = bytes.withUnsafeBytes {
            HalfValues(copying: $0.baseAddress! + misalignment, count: count)
        }
        let fromHalves = Convolution.fromPyTorch(.halves(halves), outputs: outputs, inputs: inputs, kernel: kernel)
        let fromFloats = Convolution.fromPyTorch(floats, outputs: outputs, inputs: inputs, kernel: kernel)
        guard case .halves = fromHalves else {
            Issue.record("half-precision weights were widened")
            return
        }
        #expect(firstDifference(bits: fromHalves.floats, fromFloats) == nil)
        #expect(firstDifference(bits: fromFloats, Self.pyTorchToOurs(floats, outputs, inputs, kernel)) == nil)

        let width = inputs * kernel * kernel
        let patches = Self.values(pixels * width, seed: 4)
        let bias = Self.values(outputs, seed: 5)
        func forward(_ weights: WeightMatrix) -> [Float] {
            var output = [Float](repeating: .nan, count: pixels * outputs)
            Convolution.forward(
                patches: patches, pixels: pixels, width: width, weights: weights, bias: bias, outputs: outputs,
                relu: true, into: &output, backend: CPUBackend())
            return output
        }
        let expected = forward(.floats(fromFloats))
        #expect(firstDifference(bits: forward(fromHalves), expected) == nil)
        #expect(expected.contains { $0 > 0 } && expected.contains { $0 == 0 })
    }

    /// `[out][in][ky][kx]` to `[out][ky][kx][in]`, written out index by index.
    static func pyTorchToOurs(_ values: [Float], _ outputs: Int, _ inputs: Int, _ kernel: Int) -> [Float] {
        var result = [Float](repeating: .nan, count: values.count)
        for o in 0..<outputs {
            for i in 0..<inputs {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        result[((o * kernel + ky) * kernel + kx) * inputs + i] =
                            values[((o * inputs + i) * kernel + ky) * kernel + kx]
                    }
                }
            }
        }
        return result
    }
}
