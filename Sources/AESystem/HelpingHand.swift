import CAESystem
import Synchronization

/// One helper thread that takes parts of a job the calling thread is
/// running, when it is free: the caller starts on the parts at once and
/// never waits for the helper to wake, only for a part the helper has
/// taken, so on a busy machine the job degrades to one thread.
///
/// Made for a one-image forward pass (a few milliseconds in parts of tens of
/// microseconds): the helper starts on another CPU (``prepare()``), watches
/// for the next job for about half a millisecond after each, then sleeps.
/// One caller at a time; another runs its job alone.
public final class HelpingHand: @unchecked Sendable {
    /// The process's helper, or nil where it may use only one CPU.
    public static let shared: HelpingHand? = CAESystem_usable_cpus() > 1 ? HelpingHand() : nil

    private let state = State()
    /// Whether a caller holds the helper.
    private let held = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)

    private let allowed = Atomic<Bool>(true)

    /// A helper of its own (tests); the process's is ``shared``.
    package init() {}

    /// Makes every later job run on its calling thread alone (for a user who asked for a thread count).
    public func disable() { allowed.store(false, ordering: .relaxed) }

    /// Starts the helper, if it has not started, to be awake when the first
    /// job comes: on a virtual machine an idle core can take a millisecond
    /// to run a new thread. It runs `first` (work that overlaps the caller's,
    /// such as faulting in buffers), watches for a job for a few
    /// milliseconds, then sleeps. `first` does not run if it had started.
    public func prepare(_ first: (@Sendable () -> Void)? = nil) {
        guard allowed.load(ordering: .relaxed), !started.exchange(true, ordering: .acquiringAndReleasing) else {
            return
        }
        let start = Start(state: state, first: first)
        let status = CAESystem_start_thread_elsewhere(
            { context in
                let start = Unmanaged<Start>.fromOpaque(context!).takeRetainedValue()
                start.first?()
                start.state.serve()
            }, Unmanaged.passRetained(start).toOpaque())
        // Without a helper, every part runs on its caller.
        if status != 0 {
            Unmanaged.passUnretained(start).release()
            disable()
        }
    }

    /// What the helper thread starts with.
    private final class Start {
        let state: State
        let first: (@Sendable () -> Void)?
        init(state: State, first: (@Sendable () -> Void)?) {
            self.state = state
            self.first = first
        }
    }

    /// Runs `body(part, worker)` for every part in `0..<parts`, `worker`
    /// being 0 on the calling thread and 1 on the helper, and returns when
    /// all have run. Parts must not depend on each other's order.
    public func forEach(_ parts: Int, _ body: (_ part: Int, _ worker: Int) -> Void) {
        guard parts > 1, allowed.load(ordering: .relaxed),
            held.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for part in 0..<parts { body(part, 0) }
            return
        }
        defer { held.store(false, ordering: .releasing) }
        prepare()
        let kept = withoutActuallyEscaping(body) { body in
            state.run(parts, body)
        }
        // A helper that kept its caller waiting shares its core with other
        // work: from now on the callers are faster alone.
        if kept > State.patience { disable() }
    }

    /// What the caller and the helper share.
    private final class State: @unchecked Sendable {
        /// The job's generation (high 32 bits) and its next unclaimed part.
        let next = Atomic<UInt64>(0)
        let done = Atomic<Int>(0)
        let sleeping = Atomic<Bool>(false)
        let lock = Lock()
        // Written before `next` publishes a generation; read only by a
        // thread holding a claimed part, so never while it changes.
        let parts = Atomic<Int>(0)
        var body: ((Int, Int) -> Void)?

        /// Spins while watching for the next job before the helper sleeps:
        /// about half a millisecond, longer than the gaps inside one forward pass.
        static let watch = 20_000
        /// Spins before the first job: a few milliseconds, the time a process takes to get to it.
        static let firstWatch = 100_000
        /// The longest wait for the helper's parts before its callers go on alone.
        static let patience = Duration.microseconds(500)

        /// Runs a job; how long the caller then waited for the helper's parts.
        func run(_ parts: Int, _ body: @escaping (Int, Int) -> Void) -> Duration {
            self.parts.store(parts, ordering: .relaxed)
            self.body = body
            done.store(0, ordering: .relaxed)
            let generation = (next.load(ordering: .relaxed) >> 32) &+ 1
            next.store(generation << 32, ordering: .sequentiallyConsistent)
            if sleeping.load(ordering: .sequentiallyConsistent) { lock.locked { lock.broadcast() } }
            var ran = 0
            while true {
                let part = Int(next.add(1, ordering: .acquiringAndReleasing).oldValue & 0xffff_ffff)
                if part >= parts { break }
                body(part, 0)
                ran += 1
            }
            var waited = Duration.zero
            if ran < parts {
                var spins = 0
                let start = ContinuousClock.now
                while done.load(ordering: .acquiring) < parts - ran { ThreadTeam.pause(&spins) }
                // Measured only past the first hundred microseconds of spins.
                if spins >= ThreadTeam.spinLimit { waited = ContinuousClock.now - start }
            }
            self.body = nil
            return waited
        }

        func serve() {
            var seen: UInt64 = 0
            var limit = Self.firstWatch
            while true {
                var word = next.load(ordering: .acquiring)
                var spins = 0
                while word >> 32 == seen {
                    if spins < limit {
                        CAESystem_relax()
                        spins += 1
                    } else {
                        lock.locked {
                            sleeping.store(true, ordering: .sequentiallyConsistent)
                            while next.load(ordering: .sequentiallyConsistent) >> 32 == seen { lock.wait() }
                            sleeping.store(false, ordering: .releasing)
                        }
                    }
                    word = next.load(ordering: .acquiring)
                }
                seen = word >> 32
                limit = Self.watch
                // Claim parts of generation `seen` only; a later job's counter is not ours.
                while word >> 32 == seen && Int(word & 0xffff_ffff) < parts.load(ordering: .relaxed) {
                    let (exchanged, current) = next.compareExchange(
                        expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
                    if exchanged {
                        body!(Int(word & 0xffff_ffff), 1)
                        done.add(1, ordering: .releasing)
                        word = next.load(ordering: .acquiring)
                    } else {
                        word = current
                    }
                }
            }
        }
    }
}
