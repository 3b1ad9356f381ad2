import Glibc

/// Writes files whole or not at all: a temporary file beside the target,
/// renamed over it at the end. With `durable`, the data is flushed to disk
/// before the rename (checkpoints); without it, a crash of the process still
/// never leaves a partial file under the final name (images). A target that
/// exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is
/// written directly: replacing it would be wrong.
public final class AtomicFile {
    public let path: String
    /// The temporary file; nil when writing straight to a device or FIFO.
    public let temporary: String?
    public let fd: Int32
    private var isOpen = true

    /// Creates the temporary file; the target is untouched until ``commit(durable:)``.
    public init(path: String) throws(FileError) {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG, (info.st_mode & S_IFMT) != S_IFDIR {
            let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileError(path: path, errno: errno) }
            self.path = path
            self.fd = fd
            temporary = nil
            return
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array((directory + "." + name + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        self.path = path
        self.fd = fd
        temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { abort() }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws(FileError) {
        let failure = FileWriter.writeAll(bytes, to: fd)
        if failure != 0 { throw FileError(path: path, errno: failure) }
    }

    /// Gives the file the usual permissions and renames it over the target.
    public func commit(durable: Bool = true) throws(FileError) {
        precondition(isOpen)
        guard let temporary else {
            isOpen = false
            if close(fd) != 0 { throw FileError(path: path, errno: errno) }
            return
        }
        let mask = umask(0)
        umask(mask)
        var failure: Int32 = 0
        if fchmod(fd, 0o666 & ~mask) != 0 { failure = errno }
        if failure == 0, durable, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        isOpen = false
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw FileError(path: path, errno: failure)
        }
    }

    /// Removes the temporary file; the target stays as it was.
    public func abort() {
        guard isOpen else { return }
        isOpen = false
        close(fd)
        if let temporary { unlink(temporary) }
    }

    /// Writes `bytes` to `path` in one go.
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws(FileError) {
        if !durable, try linkUnnamed(bytes, to: path) { return }
        let file = try AtomicFile(path: path)
        try file.write(bytes)
        try file.commit(durable: durable)
    }

    /// A new file without the rename: written as an unnamed file (O_TMPFILE)
    /// in the target's folder, then linked in whole. Renames cost up to ten
    /// times as much on some file systems. False where this cannot be done:
    /// the target exists, the file system lacks O_TMPFILE, or linking an
    /// unnamed file is not permitted.
    static func linkUnnamed(_ bytes: [UInt8], to path: String) throws(FileError) -> Bool {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let unnamed: Int32 = 0o20_000_000 | O_DIRECTORY  // O_TMPFILE
        let fd = Glibc.open(directory, unnamed | O_WRONLY | O_CLOEXEC, 0o666)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let failure = FileWriter.writeAll(bytes, to: fd)
        if failure != 0 { throw FileError(path: path, errno: failure) }
        let emptyPath: Int32 = 0x1000  // AT_EMPTY_PATH
        if linkat(fd, "", AT_FDCWD, path, emptyPath) == 0 { return true }
        switch errno {
        case EEXIST, ENOENT, EPERM, EACCES, EINVAL, EXDEV, EOPNOTSUPP: return false
        default: throw FileError(path: path, errno: errno)
        }
    }
}
