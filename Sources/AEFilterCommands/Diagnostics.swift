import AEFilterCore
import AESystem
import Glibc

/// One line on stderr per problem: `ae-filter: SUBJECT: MESSAGE`.
enum Diagnostics {
    static func report(_ subject: String, _ message: String) {
        let line = Array("ae-filter: \(subject): \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Reports an error about `subject`, without repeating a path the error already names.
    static func report(_ subject: String, _ error: any Error) {
        if let error = error as? FileError, error.path == subject {
            report(subject, error.reason)
        } else {
            report(subject, "\(error)")
        }
    }
}
