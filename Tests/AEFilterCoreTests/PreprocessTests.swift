import AEFilterCore
import Testing

@Suite struct PreprocessTests {
    func gray(_ width: Int, _ height: Int, _ value: (Int, Int) -> UInt8) -> Bitmap {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels.append(value(x, y)) } }
        return Bitmap(width: width, height: height, channels: 1, pixels: pixels)
    }

    func bytes(_ sample: Sample) -> [UInt8] { sample.pixels.map { Render.quantize($0) } }

    @Test func greyscale28x28PassesThroughBitExactly() {
        // Dark border, every byte value somewhere inside.
        let bitmap = gray(28, 28) { x, y in
            x == 0 || y == 0 || x == 27 || y == 27 ? UInt8((x + y) % 40) : UInt8((x * 28 + y) % 256)
        }
        let sample = Preprocess().process(bitmap)
        #expect(bytes(sample) == bitmap.pixels)
        #expect(sample.pixels == bitmap.pixels.map { Float($0) / 255 })
    }

    @Test func lumaMatchesPillowConvertL() {
        // Pillow: L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16
        let rgb = Bitmap(width: 4, height: 1, channels: 3, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 30])
        #expect(rgb.grayPlane() == [76, 150, 29, 124])
    }

    @Test func alphaIsCompositedOverWhite() {
        let rgba = Bitmap(width: 3, height: 1, channels: 4, pixels: [0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 128])
        #expect(rgba.grayPlane() == [255, 0, 127])
        let greyAlpha = Bitmap(width: 2, height: 1, channels: 2, pixels: [0, 0, 100, 255])
        #expect(greyAlpha.grayPlane() == [255, 100])
    }

    @Test func autoInvertsLightBackgrounds() {
        // A dark square on white: inverted to a light square on black.
        let photo = gray(28, 28) { x, y in (8..<20).contains(x) && (8..<20).contains(y) ? 30 : 250 }
        let out = bytes(Preprocess(invert: .auto).process(photo))
        #expect(out[0] == 5)
        #expect(out[14 * 28 + 14] == 225)
        let kept = bytes(Preprocess(invert: .off).process(photo))
        #expect(kept == photo.pixels)
        let dark = gray(28, 28) { _, _ in 10 }
        #expect(bytes(Preprocess(invert: .auto).process(dark)) == dark.pixels)
        #expect(bytes(Preprocess(invert: .on).process(dark)).allSatisfy { $0 == 245 })
    }

    @Test func padKeepsAspectAndCentresOnTheBackground() {
        // 56×28, white inside a 4-pixel black border: fits to 28×14 in rows 7..<21,
        // its white part in rows 9..<19 (edges antialiased), padded with black above and below.
        let wide = gray(56, 28) { x, y in (4..<52).contains(x) && (4..<24).contains(y) ? 255 : 0 }
        let out = bytes(Preprocess(fit: .pad, invert: .off).process(wide))
        for y in 0..<28 {
            let row = Array(out[y * 28..<(y + 1) * 28])
            if (10..<18).contains(y) { #expect(row[14] == 255, "row \(y)") }
            if !(7..<21).contains(y) { #expect(row.allSatisfy { $0 == 0 }, "row \(y)") }
        }
        // A dark square on a light 56×28 photo: inverted, and padded with the inverted background (255 - 230).
        let photo = gray(56, 28) { x, y in (20..<36).contains(x) && (6..<22).contains(y) ? 20 : 230 }
        let inverted = bytes(Preprocess(fit: .pad, invert: .auto).process(photo))
        #expect(inverted[0] == 25 && inverted[27 * 28 + 27] == 25)
        #expect(inverted[14 * 28 + 14] == 235)
    }

    @Test func stretchFillsAndCropCutsTheCentre() {
        let wide = gray(56, 28) { x, _ in x < 14 || x >= 42 ? 255 : 0 }
        let stretched = bytes(Preprocess(fit: .stretch, invert: .off).process(wide))
        #expect(stretched[0] == 255 && stretched[27] == 255 && stretched[14] == 0)
        let cropped = bytes(Preprocess(fit: .crop, invert: .off).process(wide))
        #expect(cropped.allSatisfy { $0 == 0 })
    }

    @Test func downscalingIsAntialiased() {
        // A 1-pixel checkerboard averages to mid-grey; point sampling would give 0 or 255.
        let board = gray(280, 280) { x, y in (x + y) % 2 == 0 ? 255 : 0 }
        let out = Preprocess(fit: .stretch, invert: .off).process(board).pixels
        #expect(out.allSatisfy { abs($0 - 0.5) < 0.01 })
    }

    @Test func upscalingInterpolates() {
        let small = gray(2, 2) { x, y in x == 0 && y == 0 ? 255 : 0 }
        let out = Preprocess(fit: .stretch, invert: .off).process(small).pixels
        #expect(out[0] > 0.9)
        #expect(out[27 * 28 + 27] == 0)
        #expect(Set(out).count > 10)
    }
}
