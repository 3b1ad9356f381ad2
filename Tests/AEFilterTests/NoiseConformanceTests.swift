import AEFilter
import AEFilterCore
import TestSupport
import Testing

/// What every registered noise model promises, whatever it does.
@Suite struct NoiseConformanceTests {
    static let names = Fixtures.plugins.noise.names

    @Test func theTutorialsDropoutIsRegistered() {
        #expect(Self.names.contains("dropout"))
    }

    @Test(arguments: names)
    func conforms(name: String) throws {
        let entry = try #require(Fixtures.plugins.noise.entries.first { $0.name == name })
        #expect(NoiseModelConformance.problems(name: name, levels: entry.levels, make: entry.make) == [])
    }

    /// The checker itself catches a model that breaks the rules.
    @Test func aBadModelIsCaught() {
        struct Sloppy: NoiseModel {
            let name = "sloppy", level: Float
            func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
                for i in pixels.indices { pixels[i] += Float.random(in: 0...2) }
            }
            func appearance(of noisy: UnsafeMutableBufferPointer<Float>) {}  // leaves values over 1
        }
        let problems = NoiseModelConformance.problems(name: "sloppy") { Sloppy(level: $0) }
        #expect(problems.contains("sloppy: the same seed gave different noise"))
        #expect(problems.contains("sloppy: level 0 changed the image"))
        #expect(problems.contains("sloppy: accepted level -1.0, below its levels"))
        #expect(problems.contains("sloppy: accepted level 2.0, above its levels"))
        #expect(problems.contains("sloppy: its appearance (what --emit noisy shows) left [0, 1]"))
    }

    @Test func unknownNamesListTheKnownOnes() {
        #expect(throws: RegistryError.unknown(kind: "noise model", name: "pink", known: Self.names)) {
            try Fixtures.plugins.noise.make("pink", level: 0.5)
        }
    }
}
