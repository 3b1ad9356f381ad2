import AEFilterCore
import Testing

@Suite struct RenderTests {
    let item = Denoised(
        stream: 0,
        clean: .init(repeating: 0.2, count: 784),
        noisy: .init(repeating: 1.6, count: 784),
        output: (0..<784).map { Float($0 % 28) / 27 })

    @Test func vectorQuantizingEqualsScalarQuantizing() {
        var rng = RandomGenerator(seed: 4)
        // Random values, values at and next to every rounding boundary, and the odd ones.
        var values = (0..<300).map { _ in rng.nextUnitFloat() * 1.4 - 0.2 }
        for k in 0...255 {
            let boundary = (Float(k) + 0.5) / 255
            values += [boundary, boundary.nextUp, boundary.nextDown, Float(k) / 255]
        }
        values += [
            Float.nan, .infinity, -.infinity, 0, -0.0, 1, Float(1).nextUp, Float(1).nextDown, .leastNonzeroMagnitude,
        ]
        values += Array(repeating: 0.25, count: 784 * 2 - values.count)
        for start in [0, 784] {
            let panel = Array(values[start..<start + 784])
            let image = Render().process(Denoised(stream: 0, clean: panel, noisy: panel, output: panel))
            #expect(image.pixels == panel.map(Render.quantize))
        }
    }

    @Test func quantizesRoundingAndClamping() {
        #expect(Render.quantize(-0.5) == 0)
        #expect(Render.quantize(0.5) == 128)
        #expect(Render.quantize(1.7) == 255)
        #expect(Render.quantize(.nan) == 0)
    }

    @Test func emitsTheChosenImage() {
        #expect(Render(emit: .denoised).process(item).pixels[27] == 255)
        #expect(Render(emit: .noisy).process(item).pixels.allSatisfy { $0 == 255 })
        #expect(Render(emit: .input).process(item).pixels.allSatisfy { $0 == 51 })
    }

    @Test func triptychShowsInputNoisyDenoisedSideBySide() {
        let image = Render(emit: .triptych, scale: 2).process(item)
        #expect(image.width == 168 && image.height == 56)
        #expect(image.pixels[0] == 51)
        #expect(image.pixels[56] == 255)
        #expect(image.pixels[112] == 0 && image.pixels[113] == 0 && image.pixels[114] == 9)
    }
}
