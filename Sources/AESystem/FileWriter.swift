import Glibc

/// Writes whole buffers to file descriptors.
public enum FileWriter {
    /// Writes all of `bytes` to `fd`, retrying after signals; 0, or the errno
    /// of the write that failed. To a pipe, FIFO or terminal it writes in
    /// pieces a ready descriptor takes at once, so a reader that stops reading
    /// never keeps a requested stop waiting (then the result is `EINTR`).
    public static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32 {
        var info = stat()
        let isRegular = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        return bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                if !isRegular, !Waiting.until(fd, is: POLLOUT) { return EINTR }
                let piece = isRegular ? raw.count - offset : min(raw.count - offset, Int(PIPE_BUF))
                let written = Glibc.write(fd, raw.baseAddress! + offset, piece)
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
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
