import Glibc
import Synchronization

private let stopRequested = Atomic<Bool>(false)

/// SIGINT and SIGTERM ask training to stop at the next step; a second
/// signal ends the process at once.
enum StopSignal {
    static func install() {
        // A parent may have started us with these blocked; a stop request must get through.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
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
