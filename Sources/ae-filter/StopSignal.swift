import Glibc
import Synchronization

private let stopRequested = Atomic<Bool>(false)

/// SIGINT and SIGTERM ask training to stop at the next step; a second
/// signal ends the process at once.
enum StopSignal {
    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number) { received in
                stopRequested.store(true, ordering: .relaxed)
                signal(received, SIG_DFL)
            }
        }
    }

    static func received() -> Bool {
        stopRequested.load(ordering: .relaxed)
    }
}
