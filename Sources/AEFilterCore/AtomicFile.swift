import Glibc

/// Writes files whole or not at all: a temporary file beside the target,
/// renamed over it at the end. With `durable`, the data is flushed to disk
/// before the rename (checkpoints); without it, a crash of the process still
/// never leaves a partial file under the final name (images).
public final class AtomicFile {
    public let path: String
    public let temporary: String
    public let fd: Int32
    private var open = true

    /// Creates the temporary file; the target is untouched until ``commit(durable:)``.
    public init(path: String) throws(FileError) {
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
        let failure: Int32 = bytes.withUnsafeBytes { raw in
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
        if failure != 0 { throw FileError(path: path, errno: failure) }
    }

    /// Gives the file the usual permissions and renames it over the target.
    public func commit(durable: Bool = true) throws(FileError) {
        precondition(open)
        let mask = umask(0)
        umask(mask)
        var failure: Int32 = 0
        if fchmod(fd, 0o666 & ~mask) != 0 { failure = errno }
        if failure == 0, durable, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        open = false
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw FileError(path: path, errno: failure)
        }
    }

    /// Removes the temporary file; the target stays as it was.
    public func abort() {
        guard open else { return }
        open = false
        close(fd)
        unlink(temporary)
    }

    /// Writes `bytes` to `path` in one go.
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws(FileError) {
        let file = try AtomicFile(path: path)
        try file.write(bytes)
        try file.commit(durable: durable)
    }
}
