import Glibc

/// Read-only memory mapping of a whole file, for the duration of a closure.
public enum MappedFile {
    /// Calls `body` with the file's bytes, memory-mapped (read whole when it cannot be mapped).
    public static func withContents<T, E: Error>(
        of path: String, _ body: (UnsafeRawBufferPointer) throws(E) -> T
    ) throws -> T {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(path: path, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            // Pipes and devices can't be mapped: read them instead.
            let bytes = try FileReader.read(path)
            return try bytes.withUnsafeBytes { raw throws(E) in try body(raw) }
        }
        let size = Int(info.st_size)
        guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), address != MAP_FAILED else {
            throw FileError(path: path, errno: errno)
        }
        defer { munmap(address, size) }
        return try body(UnsafeRawBufferPointer(start: address, count: size))
    }
}
