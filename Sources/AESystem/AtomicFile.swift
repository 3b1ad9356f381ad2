import Glibc
import Synchronization

/// Writes files whole or not at all. The data goes to an unnamed file
/// (`O_TMPFILE`) in the target's folder, linked in under the target's name
/// at the end: a process killed on the way leaves nothing behind. Where the
/// file system has no unnamed files, a temporary name beside the target is
/// renamed over it instead, and temporary files that dead processes of the
/// same user left in that folder are removed.
///
/// With `durable`, the data is flushed to disk before it gets its name
/// (checkpoints). A target that exists and is not a regular file
/// (`/dev/null`, `/dev/stdout`, a FIFO) is written directly: replacing it
/// would be wrong. An existing target is replaced, never written through. A
/// symbolic link the user named (`-o link`) leads to the file that is
/// replaced, as a shell's `>` would write there; a link in a folder's output
/// place is replaced itself, never followed.
public final class AtomicFile {
    /// The target, for messages.
    public let path: String
    public let fd: Int32
    /// The target's folder, open; the target's name in it.
    private let folder: Int32
    private let name: String
    private let kind: Kind
    private var isOpen = true

    private enum Kind {
        case unnamed
        case temporary(String)
        case direct
    }

    /// Starts a file that will appear as `path`. `folder`, when given, is
    /// the target's folder, already open, and `path` names the file in it;
    /// then, or with `replacingSpecialFiles`, a FIFO or device in the
    /// target's place is replaced like a file (outputs the user did not name).
    public init(path: String, in folder: Int32? = nil, replacingSpecialFiles: Bool = false) throws(FileError) {
        self.path = path
        var place = path
        if folder == nil, let link = Path.linkStatus(path), (link.st_mode & S_IFMT) == S_IFLNK {
            // A named link: the file it leads to is the one written.
            guard let target = Path.status(path) else {
                throw FileError(path: path, reason: "a symbolic link that leads nowhere; name the file itself")
            }
            if (target.st_mode & S_IFMT) == S_IFREG, let resolved = Path.resolved(path) { place = resolved }
        }
        name = folder == nil ? Path.name(of: place) : path
        let folderFD =
            folder.map { dup($0) } ?? Path.open(Path.directory(of: place), Path.pathOnly | O_DIRECTORY | O_CLOEXEC)
        guard folderFD >= 0 else { throw FileError(path: path, errno: errno) }
        self.folder = folderFD
        var info = stat()
        let exists = Path.withCString(name) { fstatat(folderFD, $0, &info, AT_SYMLINK_NOFOLLOW) } == 0
        if exists, (info.st_mode & S_IFMT) == S_IFLNK, folder == nil, let target = Path.status(place) {
            // A link the user named (`-o /dev/stdout`): look at what it leads to.
            info = target
        }
        let type = info.st_mode & S_IFMT
        if exists, type != S_IFREG, type != S_IFDIR, type != S_IFLNK, folder == nil, !replacingSpecialFiles {
            let direct: Int32
            do { direct = try Waiting.openForWriting(name, in: folderFD) } catch {
                close(folderFD)
                throw FileError(path: path, reason: error.reason)
            }
            fd = direct
            kind = .direct
            return
        }
        let unnamed = openat(folderFD, ".", Self.tmpfile | O_WRONLY | O_CLOEXEC, 0o666)
        if unnamed >= 0 {
            fd = unnamed
            kind = .unnamed
            return
        }
        Self.removeStaleTemporaries(in: folderFD)
        for _ in 0..<100 {
            let temporary = Self.temporaryName(for: name)
            let named = Path.withCString(temporary) {
                openat(folderFD, $0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            }
            if named >= 0 {
                fd = named
                kind = .temporary(temporary)
                return
            }
            if errno != EEXIST { break }
        }
        let failure = errno
        close(folderFD)
        throw FileError(path: path, errno: failure)
    }

    deinit { abort() }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws(FileError) {
        let failure = FileWriter.writeAll(bytes, to: fd)
        if failure != 0 { throw FileError(path: path, errno: failure) }
    }

    /// Gives the file the usual permissions and its name.
    public func commit(durable: Bool = true) throws(FileError) {
        precondition(isOpen)
        isOpen = false
        defer { close(folder) }
        if case .direct = kind {
            if close(fd) != 0 { throw FileError(path: path, errno: errno) }
            return
        }
        let mask = umask(0)
        umask(mask)
        var failure: Int32 = 0
        if fchmod(fd, 0o666 & ~mask) != 0 { failure = errno }
        if failure == 0, durable, fsync(fd) != 0 { failure = errno }
        if failure == 0 { failure = giveName(fd) }
        if close(fd) != 0, failure == 0 { failure = errno }
        if case .temporary(let temporary) = kind, failure != 0 { unlinkat(folder, temporary) }
        if failure != 0 { throw FileError(path: path, errno: failure) }
    }

    /// Links the file in under its name; 0 or an errno.
    private func giveName(_ fd: Int32) -> Int32 {
        switch kind {
        case .temporary(let temporary):
            return rename(temporary, to: name)
        case .unnamed:
            // A new name is linked in directly; an existing one is replaced by
            // linking under a temporary name and renaming that over it.
            if link(fd, as: name) == 0 { return 0 }
            guard errno == EEXIST else { return errno }
            let temporary = Self.temporaryName(for: name)
            if link(fd, as: temporary) != 0 { return errno }
            let failure = rename(temporary, to: name)
            if failure != 0 { unlinkat(folder, temporary) }
            return failure
        case .direct:
            return 0
        }
    }

    /// Gives the unnamed file `fd` a name in the folder; 0, or -1 and errno.
    private func link(_ fd: Int32, as target: String) -> Int32 {
        Path.withCString(target) { target in
            // Through /proc no privilege is needed; AT_EMPTY_PATH is the fallback.
            if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", folder, target, AT_SYMLINK_FOLLOW) == 0 { return 0 }
            if errno == EEXIST { return -1 }
            return linkat(fd, "", folder, target, Self.emptyPath)
        }
    }

    /// Renames within the folder; 0 or an errno.
    private func rename(_ from: String, to: String) -> Int32 {
        Path.withCString(from) { a in Path.withCString(to) { b in Glibc.renameat(folder, a, folder, b) } } == 0
            ? 0 : errno
    }

    private func unlinkat(_ folder: Int32, _ name: String) {
        _ = Path.withCString(name) { Glibc.unlinkat(folder, $0, 0) }
    }

    /// Drops the file; the target stays as it was.
    public func abort() {
        guard isOpen else { return }
        isOpen = false
        close(fd)
        if case .temporary(let temporary) = kind { unlinkat(folder, temporary) }
        close(folder)
    }

    /// Writes `bytes` to `path` in one go.
    public static func write(
        _ bytes: [UInt8], to path: String, in folder: Int32? = nil, durable: Bool = true,
        replacingSpecialFiles: Bool = false
    ) throws(FileError) {
        let file = try AtomicFile(path: path, in: folder, replacingSpecialFiles: replacingSpecialFiles)
        do {
            try file.write(bytes)
        } catch {
            file.abort()
            throw error
        }
        try file.commit(durable: durable)
    }

    static let tmpfile: Int32 = 0o20_000_000 | O_DIRECTORY
    static let emptyPath: Int32 = 0x1000
    static let marker = ".ae-filter-tmp-"

    /// `.NAME.ae-filter-tmp-PID-RANDOM`: hidden, and says whose it is.
    static func temporaryName(for name: String) -> String {
        "." + name + marker + "\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// Folders already cleaned, by device and inode.
    private static let cleaned = Mutex<Set<[UInt64]>>([])

    /// Removes, once per folder, the temporary files of this user's processes that have died.
    package static func removeStaleTemporaries(in folder: Int32) {
        var info = stat()
        guard fstat(folder, &info) == 0,
            cleaned.withLock({ $0.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted })
        else { return }
        let listing = openat(folder, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard listing >= 0, let directory = fdopendir(listing) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = Path.string(withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) })
            guard name.hasPrefix("."), let range = name.firstRange(of: marker) else { continue }
            let pid = name[range.upperBound...].prefix { $0 != "-" }
            guard let number = Int32(pid), number > 0, kill(number, 0) != 0, errno == ESRCH else { continue }
            var entryInfo = stat()
            let owned = Path.withCString(name) { fstatat(folder, $0, &entryInfo, AT_SYMLINK_NOFOLLOW) } == 0
            guard owned, entryInfo.st_uid == getuid(), (entryInfo.st_mode & S_IFMT) == S_IFREG else { continue }
            _ = Path.withCString(name) { Glibc.unlinkat(folder, $0, 0) }
        }
    }
}
