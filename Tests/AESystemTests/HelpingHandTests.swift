import AESystem
import CAESystem
import Glibc
import Synchronization
import Testing

@Suite struct HelpingHandTests {
    /// Some microseconds of work, long enough for the helper to take a part.
    static func work(_ microseconds: Int) {
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var now = start
        repeat {
            clock_gettime(CLOCK_MONOTONIC, &now)
        } while (now.tv_sec - start.tv_sec) * 1_000_000
            + (now.tv_nsec - start.tv_nsec) / 1000 < microseconds
    }

    /// Every part of every job runs exactly once, on the caller or the
    /// helper (that the helper takes any is checked below, with retries).
    @Test func everyPartRunsOnce() {
        let hand = HelpingHand()
        hand.prepare()
        let runs = UnsafeMutableBufferPointer<Atomic<Int>>.allocate(capacity: 64)
        defer { runs.deallocate() }
        for part in 0..<64 { (runs.baseAddress! + part).initialize(to: Atomic(0)) }
        nonisolated(unsafe) let shared = runs
        var wrong = 0
        for job in 0..<2_000 {
            let parts = job % 64
            hand.forEach(parts) { part, _ in
                shared[part].add(1, ordering: .relaxed)
                if job % 10 == 0 { Self.work(5) }
            }
            for part in 0..<64 where shared[part].exchange(0, ordering: .relaxed) != (part < parts ? 1 : 0) {
                wrong += 1
            }
        }
        #expect(wrong == 0)
    }

    /// A second caller while the helper serves another runs its job alone, and both finish.
    @Test func aSecondCallerRunsAlone() {
        final class Count: Sendable { let value = Atomic<Int>(0) }
        let hand = HelpingHand()
        let total = Count()
        let callers = (0..<2).map { _ in
            WorkerThread {
                for _ in 0..<300 {
                    hand.forEach(16) { _, _ in
                        total.value.add(1, ordering: .relaxed)
                        Self.work(2)
                    }
                }
            }
        }
        for caller in callers { caller.join() }
        #expect(total.value.load(ordering: .relaxed) == 2 * 300 * 16)
    }

    /// A disabled helper takes nothing.
    @Test func aDisabledHelperTakesNothing() {
        let hand = HelpingHand()
        hand.disable()
        hand.prepare()
        let helped = Atomic<Int>(0)
        let ran = Atomic<Int>(0)
        for _ in 0..<50 {
            hand.forEach(8) { _, worker in
                ran.add(1, ordering: .relaxed)
                if worker != 0 { helped.add(1, ordering: .relaxed) }
                Self.work(20)
            }
        }
        #expect(ran.load(ordering: .relaxed) == 400)
        #expect(helped.load(ordering: .relaxed) == 0)
    }

    /// A helper that went to sleep between jobs wakes for the next one.
    @Test(.enabled(if: CAESystem_usable_cpus() > 1)) func aSleepingHelperWakes() {
        let hand = HelpingHand()
        hand.prepare()
        let helped = Atomic<Int>(0)
        for _ in 0..<20 where helped.load(ordering: .relaxed) == 0 {
            usleep(20_000)  // longer than the helper watches for a job
            hand.forEach(40) { _, worker in
                if worker == 1 { helped.add(1, ordering: .relaxed) }
                Self.work(200)
            }
        }
        #expect(helped.load(ordering: .relaxed) > 0)
    }

    /// A helper that keeps its caller waiting (its core is busy with other
    /// work) is given up: later jobs run on their callers alone.
    @Test(.enabled(if: CAESystem_usable_cpus() > 1)) func aSlowHelperIsGivenUp() {
        let hand = HelpingHand()
        hand.prepare()
        let helped = Atomic<Int>(0)
        for _ in 0..<20 where helped.load(ordering: .relaxed) == 0 {
            hand.forEach(20) { _, worker in
                // The helper's part outlasts all the caller's by far, even on
                // a loaded machine (a sanitizer run beside other tests).
                if worker == 1 {
                    helped.add(1, ordering: .relaxed)
                    usleep(50_000)
                } else {
                    Self.work(200)
                }
            }
        }
        #expect(helped.load(ordering: .relaxed) > 0)
        let later = Atomic<Int>(0)
        for _ in 0..<20 {
            hand.forEach(20) { _, worker in
                if worker == 1 { later.add(1, ordering: .relaxed) }
                Self.work(20)
            }
        }
        #expect(later.load(ordering: .relaxed) == 0)
    }
}
