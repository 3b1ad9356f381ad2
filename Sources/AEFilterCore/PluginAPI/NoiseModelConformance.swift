/// What every ``NoiseModel`` must do: be deterministic for a seed and differ
/// between seeds, keep pixels finite, leave the image alone at level 0,
/// refuse a negative level, report its name and level, and show its damage
/// (``NoiseModel/appearance(of:)``) within [0, 1].
///
/// ae-filter's own tests run it on every registered noise model; run it on yours:
///
/// ```swift
/// @Test func myNoiseConforms() {
///     #expect(NoiseModelConformance.problems(name: "speckle") { try Speckle(level: $0) } == [])
/// }
/// ```
public enum NoiseModelConformance {
    /// Every problem found, as sentences; empty when the model conforms.
    /// `make` builds the model at a level, as its registry entry does;
    /// `levels` are the levels it takes (checked at 0.3, or the middle of
    /// `levels` when 0.3 is not among them).
    public static func problems(
        name: String, levels: ClosedRange<Float> = 0...1, make: (Float) throws -> any NoiseModel
    ) -> [String] {
        var found: [String] = []
        let clean = (0..<Geometry.pixels).map { Float($0 % 256) / 255 }
        func run(_ model: any NoiseModel, seed: UInt64) -> [Float] {
            var pixels = clean
            var rng = RandomGenerator(seed: seed)
            pixels.withUnsafeMutableBufferPointer { model.apply(to: $0, rng: &rng) }
            return pixels
        }
        let level: Float =
            levels.contains(0.3) ? 0.3 : levels.lowerBound / 2 + min(levels.upperBound, 1e30) / 2
        do {
            let model = try make(level)
            if model.name != name || model.level != level {
                found.append("\(name): made at \(level), reports name \(model.name) and level \(model.level)")
            }
            let first = run(model, seed: 9)
            // Compared as bits, so NaN is the same as itself.
            func bits(_ pixels: [Float]) -> [UInt32] { pixels.map(\.bitPattern) }
            if bits(first) != bits(run(model, seed: 9)) {
                found.append("\(name): the same seed gave different noise")
            }
            if bits(first) == bits(run(model, seed: 10)) {
                found.append("\(name): different seeds gave the same noise")
            }
            if first == clean { found.append("\(name): level \(level) left the image unchanged") }
            if !first.allSatisfy(\.isFinite) {
                found.append("\(name): produced a value that is not finite")
            } else {
                var shown = first
                shown.withUnsafeMutableBufferPointer { model.appearance(of: $0) }
                if !shown.allSatisfy({ $0 >= 0 && $0 <= 1 }) {
                    found.append("\(name): its appearance (what --emit noisy shows) left [0, 1]")
                }
            }
        } catch {
            found.append("\(name): cannot be made at level \(level): \(error)")
        }
        if levels.contains(0) {
            do {
                if run(try make(0), seed: 9) != clean { found.append("\(name): level 0 changed the image") }
            } catch {
                found.append("\(name): cannot be made at level 0: \(error)")
            }
        }
        if (try? make(levels.lowerBound - 1)) != nil {
            found.append("\(name): accepted level \(levels.lowerBound - 1), below its levels")
        }
        if levels.upperBound < 1e30, (try? make(levels.upperBound + 1)) != nil {
            found.append("\(name): accepted level \(levels.upperBound + 1), above its levels")
        }
        return found
    }
}
