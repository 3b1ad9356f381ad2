import AEFilter
import AEFilterCore
import Testing

/// What every registered noise model promises, whatever it does.
@Suite struct NoiseConformanceTests {
    static let names = PluginSet.standard.noise.names

    @Test func theTutorialsDropoutIsRegistered() {
        #expect(Self.names.contains("dropout"))
    }

    @Test(arguments: names)
    func deterministicFiniteAndLevelZeroIsIdentity(name: String) throws {
        let registry = PluginSet.standard.noise
        let clean = (0..<784).map { Float($0 % 256) / 255 }
        let model = try registry.make(name, level: 0.3)
        #expect(model.name == name && model.level == 0.3)
        func run(_ model: any NoiseModel, seed: UInt64) -> [Float] {
            var pixels = clean
            var rng = RandomGenerator(seed: seed)
            pixels.withUnsafeMutableBufferPointer { model.apply(to: $0, rng: &rng) }
            return pixels
        }
        let first = run(model, seed: 9)
        #expect(first == run(model, seed: 9))
        #expect(first != run(model, seed: 10))
        #expect(first != clean)
        #expect(first.allSatisfy { $0.isFinite })
        #expect(run(try registry.make(name, level: 0), seed: 9) == clean)
        #expect(throws: NoiseError.self) { try registry.make(name, level: -1) }
    }

    @Test func unknownNamesListTheKnownOnes() {
        #expect(throws: RegistryError.unknown(kind: "noise model", name: "pink", known: Self.names)) {
            try PluginSet.standard.noise.make("pink", level: 0.5)
        }
    }
}
