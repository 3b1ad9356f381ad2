import CAESystem
import Glibc

/// SIGINT and SIGTERM, once an executable has installed the handlers
/// (`CAESystem_install_stop_handlers`, from its first instruction): the
/// first asks the work to stop, a second ends the process at once.
public enum StopSignal {
    /// The signal that asked to stop, or nil.
    public static var received: Int32? {
        let number = CAESystem_stop_signal()
        return number == 0 ? nil : number
    }

    /// Whether a stop was asked for.
    public static func requested() -> Bool { CAESystem_stop_signal() != 0 }

    /// The exit status for a stop: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
    public static var exitStatus: Int32? { received.map { 128 + $0 } }
}
