import Glibc

/// Reads a whole file or standard input (`-`), up to a limit.
public enum FileReader {
    /// The whole file, or standard input for `-`; a file longer than
    /// `limit` bytes is an error, found without reading past it.
    /// `wanted` as for ``read(fd:name:limit:wanted:)``.
    public static func read(
        _ path: String, limit: Int = .max, wanted: (UnsafeRawBufferPointer) -> Int? = { _ in nil }
    ) throws(FileError) -> [UInt8] {
        if path == "-", StandardStreams.inputWasClosed { throw StandardStreams.closedInput }
        let fd = path == "-" ? STDIN_FILENO : Waiting.openForReading(path)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        defer { if fd != STDIN_FILENO { close(fd) } }
        return try read(fd: fd, name: path, limit: limit, wanted: wanted)
    }

    /// Everything left on `fd` (not closed here); `name` labels errors.
    /// `wanted`, given the bytes read so far, may say how many the content
    /// declares in all: reading stops there, so a stream that never ends
    /// (`/dev/zero`) costs no more than its content claims.
    public static func read(
        fd: Int32, name: String, limit: Int = .max, wanted: (UnsafeRawBufferPointer) -> Int? = { _ in nil }
    ) throws(FileError) -> [UInt8] {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(path: name, errno: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw FileError(path: name, reason: "is a directory") }
        let isRegular = (info.st_mode & S_IFMT) == S_IFREG
        if isRegular, Int(info.st_size) > limit { throw tooLong(name, limit) }
        // Regular files are read straight into a buffer of their size; pipes grow one.
        var bytes = [UInt8](repeating: 0, count: isRegular ? min(Int(info.st_size), limit) + 1 : 1 << 16)
        var count = 0
        var target = Int.max
        while count < target {
            if count == bytes.count {
                guard count <= limit else { throw tooLong(name, limit) }
                // Room for one byte past the limit, to see a file that is longer.
                let room = limit - count == .max ? Int.max : limit - count + 1
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, room)))
            }
            if !isRegular, !Waiting.until(fd, is: POLLIN) { throw Waiting.interrupted(name) }
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw FileError(path: name, errno: errno)
            }
            if got == 0 { break }
            count += got
            if let declared = bytes.withUnsafeBytes({ wanted(UnsafeRawBufferPointer(rebasing: $0[..<count])) }) {
                target = max(declared, count)
                if target > limit { throw tooLong(name, limit) }
            }
        }
        guard count <= limit else { throw tooLong(name, limit) }
        bytes.removeSubrange(count...)
        return bytes
    }

    static func tooLong(_ name: String, _ limit: Int) -> FileError {
        FileError(path: name, reason: "larger than the \(limit >> 20) MiB this can be")
    }
}
