/// What the filter writes for each image.
public enum Emit: String, Sendable, CaseIterable {
    /// The model's output, the corrupted input as it looks, or the clean input.
    case denoised, noisy, input
    /// input | noisy | denoised side by side, like the tutorial's figures.
    case triptych
}

/// Denoised → GrayImage: picks what to show, quantizes to 8 bits and
/// enlarges by an integer factor with nearest-neighbour. The noisy image is
/// shown as it looks (see ``NoiseModel/appearance(of:)``).
public struct Render: Stage {
    public var emit: Emit
    public var scale: Int
    public var noise: (any NoiseModel)?

    /// Renders what `emit` says, enlarged `scale` times; `noise` says how noisy pixels look.
    public init(emit: Emit = .denoised, scale: Int = 1, noise: (any NoiseModel)? = nil) {
        self.emit = emit
        self.scale = max(1, scale)
        self.noise = noise
    }

    /// The picture to encode.
    public func process(_ item: Denoised) -> GrayImage {
        let side = Geometry.side
        var noisy = item.noisy
        if let noise, emit == .noisy || emit == .triptych {
            noisy.withUnsafeMutableBufferPointer { noise.appearance(of: $0) }
        }
        let panels: [[Float]]
        switch emit {
        case .denoised: panels = [item.output]
        case .noisy: panels = [noisy]
        case .input: panels = [item.clean]
        case .triptych: panels = [item.clean, noisy, item.output]
        }
        let width = side * panels.count * scale
        let height = side * scale
        var pixels = [UInt8](repeating: 0, count: width * height)
        if panels.count == 1 && scale == 1 {
            pixels.withUnsafeMutableBufferPointer { Self.quantize(panels[0], into: $0.baseAddress!) }
            return GrayImage(width: width, height: height, pixels: pixels)
        }
        var quantized = [UInt8](repeating: 0, count: Geometry.pixels)
        pixels.withUnsafeMutableBufferPointer { out in
            for (p, panel) in panels.enumerated() {
                quantized.withUnsafeMutableBufferPointer { Self.quantize(panel, into: $0.baseAddress!) }
                for sy in 0..<side {
                    let row = sy * scale * width + p * side * scale
                    for sx in 0..<side {
                        let value = quantized[sy * side + sx]
                        for dx in 0..<scale { out[row + sx * scale + dx] = value }
                    }
                    // Repeat the finished row for the other scale - 1 rows.
                    for dy in 1..<max(1, scale) {
                        let source = UnsafeMutableBufferPointer(rebasing: out[row..<row + side * scale])
                        UnsafeMutableBufferPointer(rebasing: out[(row + dy * width)...]).baseAddress!
                            .update(from: source.baseAddress!, count: side * scale)
                    }
                }
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// ``quantize(_:)`` of every value, written without branches so that the
    /// compiler vectorises it.
    static func quantize(_ values: [Float], into out: UnsafeMutablePointer<UInt8>) {
        values.withUnsafeBufferPointer { values in
            let input = values.baseAddress!
            for i in 0..<values.count {
                var v = input[i]
                v = v > 0 ? v : 0  // negatives and NaN
                v = v < 1 ? v : 1
                let scaled = v * 255
                let whole = Int32(scaled)
                out[i] = UInt8(truncatingIfNeeded: whole &+ (scaled - Float(whole) >= 0.5 ? 1 : 0))
            }
        }
    }

    /// [0, 1] → 0...255, rounded, clamped (dropout noise can exceed 1).
    @inline(__always)
    public static func quantize(_ value: Float) -> UInt8 {
        guard value > 0 else { return 0 }
        guard value < 1 else { return 255 }
        // Round half away from zero, as `rounded()` does, without a libm call.
        let scaled = value * 255
        let whole = UInt8(scaled)
        return scaled - Float(whole) >= 0.5 ? whole + 1 : whole
    }
}
