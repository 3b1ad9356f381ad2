import AEFilterCore
import Glibc
import Synchronization
import Testing

/// Sleeps a little, longer for some items, so workers finish out of order.
struct Jitter: Stage {
    let live: Shared
    final class Shared: Sendable {
        let current = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
    }

    func process(_ input: Int) throws -> Int {
        let now = live.current.add(1, ordering: .relaxed).newValue
        _ = live.peak.max(now, ordering: .relaxed)
        defer { live.current.subtract(1, ordering: .relaxed) }
        usleep(UInt32(input % 7 == 0 ? 3000 : 100))
        guard input % 10 != 3 else { throw NoiseError("bad \(input)") }
        return input * 2
    }
}

final class Source: RecordSource, @unchecked Sendable {
    var position = 0
    let count: Int
    let produced = Atomic<Int>(0)
    init(count: Int) { self.count = count }
    func next() -> (Int, Int)? {
        guard position < count else { return nil }
        position += 1
        produced.add(1, ordering: .relaxed)
        return (position - 1, position - 1)
    }
}

@Suite struct OrderedRunnerTests {
    @Test func deliversEveryResultInOrderWithFailuresInPlace() throws {
        let live = Jitter.Shared()
        let runner = OrderedRunner(stage: Jitter(live: live), workers: 4, batchSize: 5)
        var seen: [String] = []
        try runner.run(
            source: Source(count: 203),
            finish: { tag, result in
                switch result {
                case .success(let value): return "\(tag):\(value)"
                case .failure: return "\(tag):failed"
                }
            }, deliver: { seen += $0 })
        #expect(seen == (0..<203).map { $0 % 10 == 3 ? "\($0):failed" : "\($0):\($0 * 2)" })
        // More than one worker really ran at once.
        #expect(live.peak.load(ordering: .relaxed) > 1)
    }

    @Test func anErrorFromDeliverStopsTheRun() {
        let source = Source(count: 100_000)
        let runner = OrderedRunner(stage: Jitter(live: .init()), workers: 2, batchSize: 4, maxInFlight: 3)
        var deliveries = 0
        var mostAhead = 0
        #expect(throws: NoiseError.self) {
            try runner.run(
                source: source, finish: { tag, _ in tag },
                deliver: { _ in
                    deliveries += 1
                    usleep(1000)
                    mostAhead = max(mostAhead, source.produced.load(ordering: .relaxed) - deliveries * 4)
                    if deliveries == 50 { throw NoiseError("enough") }
                })
        }
        // Bounded read-ahead: at most the batches in flight plus the one being filled.
        #expect(mostAhead <= 4 * 4)
        #expect(source.produced.load(ordering: .relaxed) < 60 * 4)
    }
}
