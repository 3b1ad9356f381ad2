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
