import CAENumerics

/// A noise model: corrupts a clean image the way the denoiser is trained to undo.
///
/// Pixels are `Float` in [0, 1] (noise models may leave that range, as the
/// tutorial's dropout does). A noise model is made for one level by its
/// ``NoiseRegistry`` factory and must be deterministic given the generator.
public protocol NoiseModel: Sendable {
    /// The name it is registered under, e.g. `dropout`.
    var name: String { get }

    /// The level it was made with: a probability or a standard deviation.
    var level: Float { get }

    /// Corrupts `pixels` in place, drawing randomness only from `rng`.
    func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator)

    /// Turns corrupted pixels into what the damaged image looks like to a
    /// person, in [0, 1]: the input of baselines and of `--emit noisy`.
    /// The default clamps; dropout undoes its 1/(1-P) scaling.
    func appearance(of noisy: UnsafeMutableBufferPointer<Float>)

    /// Where it comes from, for messages that blame it; built in by default.
    var origin: PluginOrigin { get }
}

extension NoiseModel {
    public var origin: PluginOrigin { .builtIn }

    public func appearance(of noisy: UnsafeMutableBufferPointer<Float>) {
        for i in noisy.indices { noisy[i] = min(max(noisy[i], 0), 1) }
    }
}

/// A noise model left pixels that are not finite: the noise model is at
/// fault, not the denoising model or the training settings.
public struct NoiseFault: Error, CustomStringConvertible, Equatable {
    public let description: String

    /// The fault of `model`, named with where it comes from.
    public init(_ model: any NoiseModel) {
        let source: String
        switch model.origin {
        case .builtIn: source = "built in"
        case .module(let path, _, _): source = "from the module \(path)"
        }
        description =
            "the noise model '\(model.name)' (\(source)) made pixels that are not finite (NaN or infinite)"
    }

    /// Whether every pixel is finite.
    public static func allFinite(_ pixels: UnsafeBufferPointer<Float>) -> Bool {
        pixels.isEmpty || CAENumerics_all_finite(pixels.baseAddress, pixels.count) != 0
    }
}
