import AEFilterCore
import Testing

struct Halve: Stage {
    func process(_ input: Int) throws -> Int {
        guard input % 2 == 0 else { throw NoiseError("odd \(input)") }
        return input / 2
    }
}

struct Describe: Stage {
    func process(_ input: Int) -> String { "<\(input)>" }
}

@Suite struct StageTests {
    @Test func chainRunsStagesInOrder() throws {
        #expect(try Halve().then(Halve()).then(Describe()).process(12) == "<3>")
    }

    @Test func batchKeepsOrderAndIsolatesFailures() {
        let results = Halve().then(Halve()).then(Describe()).processBatch([4, 3, 8, 6, 16])
        let texts = results.map { result in
            switch result {
            case .success(let text): return text
            case .failure(let error): return "error: \(error)"
            }
        }
        #expect(texts == ["<1>", "error: odd 3", "<2>", "error: odd 3", "<4>"])
    }
}

@Suite struct RandomGeneratorTests {
    @Test func isReproducibleAndStreamsDiffer() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 42, stream: 1)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
    }

    @Test func uniformAndNormalHaveTheRightMoments() {
        var rng = RandomGenerator(seed: 1)
        let n = 200_000
        let uniform = (0..<n).map { _ in rng.nextUnitFloat() }
        #expect(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(uniform.reduce(0, +) / Float(n) - 0.5) < 0.005)
        let normal = (0..<n).map { _ in Double(rng.nextNormal()) }
        let mean = normal.reduce(0, +) / Double(n)
        let variance = normal.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
    }
}
