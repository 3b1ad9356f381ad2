import CAESystem
import Glibc
import Synchronization

/// A fixed set of threads that run one body together, each with its member
/// index, meeting at barriers between phases. The calling thread is member 0.
///
/// Made for steps a few milliseconds long: waits spin briefly, then yield
/// the core (at barriers) or sleep (between runs), so an idle team costs
/// nothing and an oversubscribed one still makes progress.
public final class ThreadTeam: @unchecked Sendable {
    /// The number of members, the caller included.
    public let size: Int
    private let state: State
    private var workers: [WorkerThread] = []
    private let turn = Lock()

    /// Spins before a thread waiting at a barrier yields: some tens of microseconds.
    static let spinLimit = 4_000
    /// Spins before an idle member sleeps: about a millisecond, longer than
    /// the caller's usual work between two runs.
    static let idleSpinLimit = 40_000

    /// A team of `size` members: the caller and `size - 1` new threads.
    public init(size: Int) {
        self.size = max(1, size)
        let state = State()
        self.state = state
        for member in 1..<self.size {
            workers.append(WorkerThread { state.serve(member) })
        }
    }

    deinit {
        state.lock.locked {
            state.stopping.store(true, ordering: .releasing)
            state.generation.add(1, ordering: .releasing)
            state.lock.broadcast()
        }
        for worker in workers { worker.join() }
    }

    /// Runs `body(member)` on every member and returns when all are done.
    /// Runs from several threads take turns; a body must not call `run`.
    public func run(_ body: (Int) -> Void) {
        if size == 1 { return body(0) }
        turn.locked { runAlone(body) }
    }

    private func runAlone(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            state.job = body
            state.finished.store(0, ordering: .relaxed)
            state.lock.locked {
                state.generation.add(1, ordering: .releasing)
                state.lock.broadcast()
            }
            body(0)
            var spins = 0
            while state.finished.load(ordering: .acquiring) < size - 1 { Self.pause(&spins) }
            state.job = nil
        }
    }

    /// Waits until every member has called it; call from inside `run` only,
    /// the same number of times on every member.
    public func barrier() {
        if size == 1 { return }
        let current = state.phase.load(ordering: .acquiring)
        if state.arrived.add(1, ordering: .acquiringAndReleasing).newValue == size {
            state.arrived.store(0, ordering: .relaxed)
            state.phase.add(1, ordering: .releasing)
        } else {
            var spins = 0
            while state.phase.load(ordering: .acquiring) == current { Self.pause(&spins) }
        }
    }

    static func pause(_ spins: inout Int) {
        if spins < spinLimit {
            CAESystem_relax()
            spins += 1
        } else {
            sched_yield()
        }
    }

    /// What the members share; the workers hold it, not the team.
    private final class State: @unchecked Sendable {
        let lock = Lock()
        let generation = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        let arrived = Atomic<Int>(0)
        let phase = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        // Written by member 0 before `generation` is bumped, read after.
        var job: ((Int) -> Void)?

        func serve(_ member: Int) {
            var seen = 0
            while true {
                var spins = 0
                while generation.load(ordering: .acquiring) == seen {
                    if spins < ThreadTeam.idleSpinLimit {
                        CAESystem_relax()
                        spins += 1
                    } else {
                        lock.locked { while generation.load(ordering: .acquiring) == seen { lock.wait() } }
                    }
                }
                seen = generation.load(ordering: .acquiring)
                if stopping.load(ordering: .acquiring) { return }
                job!(member)
                finished.add(1, ordering: .releasing)
            }
        }
    }
}
