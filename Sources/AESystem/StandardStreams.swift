import CAESystem
import Glibc

/// Standard input and output as the parent left them: a closed one reads and
/// writes as an error, never as an empty input or a silent sink.
public enum StandardStreams {
    /// Standard input was closed at start (`<&-`).
    public static var inputWasClosed: Bool { CAESystem_standard_stream_was_closed(STDIN_FILENO) != 0 }

    /// Standard output was closed at start (`>&-`).
    public static var outputWasClosed: Bool { CAESystem_standard_stream_was_closed(STDOUT_FILENO) != 0 }

    /// The error for reading a closed standard input.
    public static let closedInput = FileError(path: "-", reason: "standard input is closed")
}
