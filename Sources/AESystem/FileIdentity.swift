import Glibc

/// A file's device and inode: the same file whatever path reaches it.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    public init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The file at `path`, following links; nil if there is none.
    public init?(path: String) {
        guard let info = Path.status(path) else { return nil }
        self.init(info)
    }

    /// Whether `a` and `b` are, or would be, the same file: the same device
    /// and inode when both exist, else the same name in the same folder.
    public static func same(_ a: String, _ b: String) -> Bool {
        if let first = FileIdentity(path: a), let second = FileIdentity(path: b) { return first == second }
        guard Path.name(of: a) == Path.name(of: b) else { return false }
        guard let first = FileIdentity(path: Path.directory(of: a)),
            let second = FileIdentity(path: Path.directory(of: b))
        else { return false }
        return first == second
    }

    /// The file open as `fd`; nil if it can't be looked at.
    public init?(fd: Int32) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        self.init(info)
    }
}
