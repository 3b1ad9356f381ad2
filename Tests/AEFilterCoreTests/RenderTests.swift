import AEFilterCore
import Testing

@Suite struct RenderTests {
    let item = Denoised(
        index: 0,
        clean: .init(repeating: 0.2, count: 784),
        noisy: .init(repeating: 1.6, count: 784),
        output: (0..<784).map { Float($0 % 28) / 27 })

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
