import AEFilterCore
import AESystem
import Glibc

/// One line on stderr per problem: `ae-filter: SUBJECT: MESSAGE`. Names are
/// escaped and the whole line is made safe for a terminal, so a file name or
/// a checkpoint's metadata can neither forge a line nor send escape codes.
enum Diagnostics {
    static func report(_ subject: String, _ message: String) {
        line("\(Path.display(subject)): \(message)")
    }

    /// Reports an error about `subject`, without repeating a path the error already names.
    static func report(_ subject: String, _ error: any Error) {
        if let error = error as? FileError,
            error.path == subject || subject.hasPrefix(error.path + ", ")
                || subject.hasPrefix(Path.display(error.path) + ", ")
        {
            report(subject, error.reason)
        } else {
            report(subject, "\(error)")
        }
    }

    /// `ae-filter: TEXT` on standard error, as one line.
    static func line(_ text: String) {
        ProgressLine.clearCurrent()
        let bytes = Array("ae-filter: \(Path.sanitized(text))\n".utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
