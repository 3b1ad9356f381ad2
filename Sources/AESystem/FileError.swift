import Glibc

/// A failed file operation, with the path and the system's reason.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String

    /// An error about `path`, for a reason in words.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// An error about `path`, with the system's message for `errno`.
    public init(path: String, errno code: Int32) {
        self.init(path: path, reason: String(cString: strerror(code)))
    }

    public var description: String { "\(Path.display(path)): \(reason)" }
}
