import AEFilterCore
import AESystem
import Dispatch
import Synchronization
import Testing

@Suite struct ThreadTeamTests {
    /// Each member sees every other member's writes from before a barrier.
    @Test(arguments: [1, 2, 5])
    func barriersOrderPhases(size: Int) {
        let team = ThreadTeam(size: size)
        let slots = UnsafeMutableBufferPointer<Int>.allocate(capacity: size)
        defer { slots.deallocate() }
        nonisolated(unsafe) let shared = slots
        let mismatches = Atomic<Int>(0)
        for run in 0..<200 {
            team.run { member in
                for phase in 0..<3 {
                    shared[member] = run * 10 + phase
                    team.barrier()
                    for other in 0..<size where shared[other] != run * 10 + phase {
                        mismatches.add(1, ordering: .relaxed)
                    }
                    team.barrier()
                }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
    }

    /// `run` returns only when every member is done, and every member runs once.
    @Test func runWaitsForEveryMember() {
        let team = ThreadTeam(size: 4)
        let done = Atomic<Int>(0)
        for run in 1...100 {
            team.run { member in
                if member == 3 { for _ in 0..<2_000 { _ = done.load(ordering: .relaxed) } }
                done.add(1, ordering: .relaxed)
            }
            #expect(done.load(ordering: .relaxed) == run * 4)
        }
    }

    /// More members than cores, and idle gaps long enough for members to sleep.
    @Test func oversubscribedAndIdleTeamsStillFinish() async throws {
        let team = ThreadTeam(size: 12)
        let total = Atomic<Int>(0)
        for round in 0..<5 {
            team.run { member in
                team.barrier()
                total.add(member, ordering: .relaxed)
            }
            if round == 2 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(total.load(ordering: .relaxed) == 5 * (0..<12).reduce(0, +))
    }

    /// Copies of a trainer share a team until one steps: runs from two
    /// threads at once take turns instead of mixing their members.
    @Test func runsFromTwoThreadsTakeTurns() {
        let team = ThreadTeam(size: 3)
        let mismatches = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { caller in
            let slots = UnsafeMutableBufferPointer<Int>.allocate(capacity: 3)
            defer { slots.deallocate() }
            nonisolated(unsafe) let shared = slots
            for run in 0..<300 {
                team.run { member in
                    shared[member] = caller * 1_000 + run
                    team.barrier()
                    for other in 0..<3 where shared[other] != caller * 1_000 + run {
                        mismatches.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
    }
}
