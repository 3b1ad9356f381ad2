import Glibc

/// Read-only access to a whole file for the duration of a closure: a regular
/// file is memory-mapped, anything else (a pipe, a device) read, opened once
/// either way, and never more than a limit.
public enum MappedFile {
    /// Calls `body` with the file's bytes; a file longer than `limit` is an
    /// error. For a pipe or device, `wanted` may say how long the content
    /// declares itself to be (see ``FileReader/read(fd:name:limit:wanted:)``).
    public static func withContents<T>(
        of path: String, limit: Int, wanted: (UnsafeRawBufferPointer) -> Int? = { _ in nil },
        _ body: (UnsafeRawBufferPointer) throws -> T
    ) throws -> T {
        if path == "-", StandardStreams.inputWasClosed { throw StandardStreams.closedInput }
        let fd = path == "-" ? STDIN_FILENO : Waiting.openForReading(path)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(path: path, errno: errno) }
        let size = Int(info.st_size)
        guard (info.st_mode & S_IFMT) == S_IFREG, size > 0 else {
            // Pipes and devices can't be mapped, and an empty mapping has no address: read them.
            let bytes = try FileReader.read(fd: fd, name: path, limit: limit, wanted: wanted)
            return try bytes.withUnsafeBytes { try body($0) }
        }
        guard size <= limit else { throw FileReader.tooLong(path, limit) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), address != MAP_FAILED else {
            throw FileError(path: path, errno: errno)
        }
        defer { munmap(address, size) }
        return try body(UnsafeRawBufferPointer(start: address, count: size))
    }
}
