import AEFilterCore
import AESystem
import Glibc

/// A byte stream going out: standard output, or a file that appears whole at
/// the end (`-o FILE`).
final class OutputChannel {
    let name: String
    private let file: AtomicFile?
    private let fd: Int32
    /// Bytes written so far.
    private(set) var written = 0

    static func standardOutput() throws -> OutputChannel {
        if StandardStreams.outputWasClosed { throw OutputError(description: "standard output is closed") }
        return OutputChannel(name: "standard output", file: nil, fd: STDOUT_FILENO)
    }

    /// `-o PATH`; `-` is standard output.
    static func file(_ path: String) throws -> OutputChannel {
        if path == "-" { return try standardOutput() }
        let file = try AtomicFile(path: path)
        return OutputChannel(name: path, file: file, fd: file.fd)
    }

    /// The files an output goes to, which no input may be: `-o PATH` as it
    /// exists before the run, or standard output when it is a regular file.
    static func identities(of output: String?) -> Set<FileIdentity> {
        var identities = Set<FileIdentity>()
        if let output, output != "-", let identity = FileIdentity(path: output) { identities.insert(identity) }
        var info = stat()
        if output == nil || output == "-", fstat(STDOUT_FILENO, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            identities.insert(FileIdentity(info))
        }
        return identities
    }

    private init(name: String, file: AtomicFile?, fd: Int32) {
        self.name = name
        self.file = file
        self.fd = fd
    }

    func write(_ bytes: [UInt8]) throws {
        try Self.writeAll(bytes, to: fd, name: name)
        written += bytes.count
    }

    /// Where the next byte goes, if the output can seek (a regular file
    /// not opened for appending, where writes go to the end whatever the offset).
    func seekableOffset() -> Int? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, fcntl(fd, F_GETFL) & O_APPEND == 0 else {
            return nil
        }
        let offset = lseek(fd, 0, SEEK_CUR)
        return offset >= 0 ? Int(offset) : nil
    }

    /// True when the output is a file opened for appending that already holds data.
    var appendsToData: Bool {
        var info = stat()
        return fcntl(fd, F_GETFL) & O_APPEND != 0 && fstat(fd, &info) == 0 && info.st_size > 0
    }

    /// Overwrites bytes at `offset` (from ``seekableOffset()``).
    func patch(_ bytes: [UInt8], at offset: Int) throws {
        let count = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard count == bytes.count else {
            throw OutputError(description: "cannot write \(name): \(String(cString: strerror(errno)))")
        }
    }

    /// Makes a file output appear (only when something was written).
    func finish() throws {
        guard let file else { return }
        if written == 0 {
            file.abort()
            return
        }
        do {
            try file.commit()
        } catch {
            throw OutputError(description: "cannot write \(error)")
        }
    }

    static func writeAll(_ bytes: [UInt8], to fd: Int32, name: String) throws {
        switch FileWriter.writeAll(bytes, to: fd) {
        case 0: return
        // The reader is gone (`| head`): nothing more can be delivered.
        case EPIPE: throw ReaderGone()
        case let failure:
            throw OutputError(description: "cannot write \(Path.display(name)): \(String(cString: strerror(failure)))")
        }
    }
}

/// An output that could not be written; it ends the run.
public struct OutputError: Error, CustomStringConvertible {
    public let description: String
}

/// Standard output's reader closed the pipe; the run ends quietly.
public struct ReaderGone: Error {}
