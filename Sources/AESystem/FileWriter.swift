import Glibc

/// Writes whole buffers to file descriptors.
public enum FileWriter {
    /// Writes all of `bytes` to `fd`, retrying after signals; 0, or the errno
    /// of the write that failed.
    public static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32 {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
    }

    /// `text` and a newline, made safe for a terminal (see ``Path/sanitized(_:)``).
    public static func writeLine(_ text: String, to fd: Int32) {
        _ = writeAll(Array((Path.sanitized(text) + "\n").utf8), to: fd)
    }
}
