import AEFilterCore
import AEImageIO
import AESystem
import Glibc

/// `-o DIR`: one file per input under DIR. Folders given as inputs are
/// mirrored, files from `--files-from` keep their relative paths, named files
/// and streams use their names. Files are written by the workers, atomically.
/// Every output stays inside DIR: a folder under it that is a symbolic link
/// is never followed, and no output replaces an input.
final class FolderOutput: @unchecked Sendable {
    let directory: String
    let format: any OutputFormat
    let skipExisting: Bool
    /// DIR, open.
    private let folder: Int32
    /// Outputs claimed so far (producer thread only), so no input overwrites another's.
    private var claimed: [String: String] = [:]
    /// The files named on the command line, which no output may replace.
    private let namedInputs: Set<FileIdentity>

    init(directory: String, format: any OutputFormat, skipExisting: Bool, namedInputs: Set<FileIdentity> = []) throws {
        var path = directory
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.directory = path
        self.format = format
        self.skipExisting = skipExisting
        self.namedInputs = namedInputs
        do {
            try Path.makeDirectories(path)
        } catch {
            throw OutputError(description: "cannot create directory \(error)")
        }
        folder = Path.open(path, Path.pathOnly | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { throw OutputError(description: "\(FileError(path: path, errno: errno))") }
        // Found now, not after every image is computed: a file made and
        // removed at once shows that outputs can be written here.
        let probe = Path.withCString(path) { open($0, O_WRONLY | O_CLOEXEC | Path.temporaryFile, 0o600) }
        if probe >= 0 {
            close(probe)
        } else if errno != EOPNOTSUPP && errno != EISDIR {
            let error = FileError(path: path, errno: errno)
            close(folder)
            throw OutputError(description: "cannot write in \(Path.display(path)): \(error.reason); nothing was done")
        }
    }

    deinit { close(folder) }

    /// `-o` names a directory when it ends in `/` or already is one.
    static func isDirectory(_ path: String) -> Bool {
        path.hasSuffix("/") || Path.isDirectory(path)
    }

    /// Where an input's output goes under DIR, or why it cannot have one.
    func relativeDestination(for origin: InputOrigin) throws -> String {
        let relative: String
        switch origin {
        case .file(_, let path):
            relative = Self.replacingExtension(path)
            guard !relative.split(separator: "/").contains("..") else {
                throw InputError("cannot mirror a path with '..' under \(Path.display(directory))")
            }
        case .stream(let name, let position):
            let base = name == "-" ? "stdin" : Self.streamBase(name)
            relative = base + "-" + Self.padded(position + 1)
        case .line:
            preconditionFailure("lines mode writes a stream")
        }
        return relative + "." + format.name
    }

    /// The output's path, for messages and tests.
    func destination(for origin: InputOrigin) throws -> String {
        joinPath(directory, try relativeDestination(for: origin))
    }

    /// An output `--skip-existing` keeps: a regular file with something in it
    /// (not a folder, a dangling link or an empty file left by something else).
    static func isDone(_ path: String) -> Bool {
        guard let info = Path.status(path) else { return false }
        return (info.st_mode & S_IFMT) == S_IFREG && info.st_size > 0
    }

    /// Decides on the producer thread, before reading: skip, reject, or go.
    func admit(_ origin: InputOrigin) -> Admission {
        do {
            let path = try destination(for: origin)
            if let other = claimed[path] {
                return .reject(
                    InputError("its output \(Path.display(path)) is also the output of \(Path.display(other))"))
            }
            claimed[path] = origin.label
            if skipExisting, Self.isDone(path) { return .skip }
            return .process
        } catch {
            return .reject(error)
        }
    }

    /// Writes one output (on a worker), never over an input and never
    /// outside DIR; folders under DIR are created as needed.
    func store(_ bytes: [UInt8], for origin: InputOrigin) throws {
        let relative = try relativeDestination(for: origin)
        let path = joinPath(directory, relative)
        let parts = relative.split(separator: "/").map(String.init)
        var parent = dup(folder)
        defer { close(parent) }
        for component in parts.dropLast() {
            var next = Path.withCString(component) {
                openat(parent, $0, Path.pathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0, errno == ENOENT {
                _ = Path.withCString(component) { mkdirat(parent, $0, 0o777) }
                next = Path.withCString(component) {
                    openat(parent, $0, Path.pathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
            }
            guard next >= 0 else {
                let reason =
                    errno == ELOOP || errno == ENOTDIR
                    ? "\(component) is not a folder (a symbolic link is never followed out of the output folder)"
                    : String(cString: strerror(errno))
                throw InputError("cannot write \(Path.display(path)): \(reason)")
            }
            close(parent)
            parent = next
        }
        var existing = stat()
        if Path.withCString(parts.last!, { fstatat(parent, $0, &existing, 0) }) == 0 {
            let identity = FileIdentity(existing)
            if case .file(let input, _) = origin, Path.status(input).map(FileIdentity.init) == identity {
                throw InputError("refusing to overwrite the input with its output")
            }
            if namedInputs.contains(identity) {
                throw InputError("its output \(Path.display(path)) is an input of this run; refusing to overwrite it")
            }
        }
        do {
            try AtomicFile.write(bytes, to: parts.last!, in: parent, durable: false)
        } catch {
            throw InputError("cannot write \(Path.display(path)): \(error.reason)")
        }
    }

    static func replacingExtension(_ path: String) -> String {
        let name = Path.name(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return path }
        return String(path.dropLast(name.distance(from: dot, to: name.endIndex)))
    }

    /// A stream file's name without its extensions (`t10k-images-idx3-ubyte.gz` → `t10k-images-idx3-ubyte`).
    static func streamBase(_ path: String) -> String {
        var base = Path.name(of: path)
        if base.hasSuffix(".gz") { base.removeLast(3) }
        return replacingExtension(base)
    }

    static func padded(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}

private func joinPath(_ a: String, _ b: String) -> String { a.hasSuffix("/") ? a + b : a + "/" + b }
