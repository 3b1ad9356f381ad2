import AEFilterCore
import AESystem
import Glibc

/// `ae-filter data fetch`: downloads the four Fashion-MNIST files over HTTP
/// or HTTPS (``HTTPDownload``, libcurl), resuming partial downloads
/// (`NAME.part`), retrying, and checking each MD5 before the file gets its
/// final name, so a corrupt file never sits under it. A `.part` is created by
/// the first body byte, never grows past the file's known size, and is kept
/// when a stop is requested, for the next run to resume.
public struct DatasetFetch {
    public var baseURL: String
    public var directory: String
    /// The files with their sizes and MD5s: Fashion-MNIST's (tests serve others).
    public var files = FashionMNIST.files
    public var attempts = 4
    public var retryDelaySeconds: UInt32 = 1
    /// The CA bundle HTTPS servers are verified with; nil for `$CURL_CA_BUNDLE`,
    /// else `$SSL_CERT_FILE`, else libcurl's own (as the curl tool does).
    public var caFile: String?
    public var connectTimeoutSeconds = 30
    /// A try fails when fewer than `lowSpeedBytes` a second arrive for `lowSpeedSeconds`.
    public var lowSpeedBytes = 1000
    public var lowSpeedSeconds = 60
    /// Information for the user (not errors).
    public var log: (String) -> Void = { _ in }
    /// Each download as it goes.
    public var progress: (Progress) -> Void = { _ in }
    /// Polled during downloads and between tries; true stops the fetch with ``DataError/stopped``.
    public var shouldStop: () -> Bool = { false }

    /// A download's course: it began with `at` bytes already in the `.part`,
    /// the `.part` holds `bytes` now, it ended (whatever the outcome).
    public enum Progress {
        case began(FashionMNIST.File, at: Int)
        case received(bytes: Int)
        case ended
    }

    public init(baseURL: String = FashionMNIST.baseURL, directory: String) {
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.directory = directory
    }

    public func run() throws(DataError) {
        do { try Path.makeDirectories(directory) } catch { throw DataError("\(error.reason)") }
        for file in files {
            try fetch(file)
        }
    }

    func fetch(_ file: FashionMNIST.File) throws(DataError) {
        let target = "\(directory)/\(file.name)"
        let part = target + ".part"
        if let existing = try? FileReader.read(target), MD5.hex(existing) == file.md5 {
            log("\(file.name): present, MD5 ok")
            return
        }
        try HTTPDownload.load()
        var lastError = DataError("\(file.name): not downloaded")
        for attempt in 1...max(1, attempts) {
            if shouldStop() { throw .stopped }
            do throws(DataError) {
                let oversized = try download(file, to: part)
                let bytes: [UInt8]
                do { bytes = try FileReader.read(part) } catch { throw DataError("\(error)") }
                let md5 = MD5.hex(bytes)
                guard md5 == file.md5 else {
                    _ = Path.unlink(part)
                    if oversized {
                        throw DataError(
                            "the server sends more than the expected \(file.bytes) bytes, and the MD5 of the first "
                                + "\(file.bytes), \(md5), does not match the published \(file.md5)")
                    }
                    throw DataError("MD5 \(md5) does not match the published \(file.md5)")
                }
                guard Path.rename(part, target) == 0 else {
                    throw DataError("\(target): \(String(cString: strerror(errno)))")
                }
                if oversized {
                    log(
                        "\(file.name): the server sends more than \(file.bytes) bytes; the first \(file.bytes) are kept"
                    )
                }
                log("\(file.name): \(bytes.count) bytes, MD5 ok")
                return
            } catch {
                if error == .stopped { throw error }
                lastError = DataError("\(file.name): \(error)")
            }
            if attempt < attempts {
                log("\(lastError); retrying (\(attempt + 1) of \(attempts))")
                sleep(retryDelaySeconds * UInt32(attempt))
            }
        }
        throw lastError
    }

    /// Brings `part` to the file's size, from its current size on, or from
    /// the start when the server ignores the range. Returns whether the server
    /// sent more than the file's size (the `.part` then holds exactly that
    /// size, and the MD5 decides).
    func download(_ file: FashionMNIST.File, to part: String) throws(DataError) -> Bool {
        let url = baseURL + file.name
        var offset = Path.status(part).map { Int($0.st_size) } ?? 0
        if offset > file.bytes {
            log("\(file.name).part: longer than the file's \(file.bytes) bytes; starting over")
            offset = 0
        }
        if offset == 0 { _ = Path.unlink(part) }  // An empty one would only mislead.
        if offset == file.bytes { return false }  // Complete; the MD5 decides.

        let writer = PartWriter(path: part, offset: offset, limit: file.bytes, shouldStop: shouldStop) { size in
            progress(.received(bytes: size))
        }
        var request = HTTPDownload(url: url)
        request.offset = offset
        request.caFile = caFile ?? Self.environmentCAFile
        request.connectTimeoutSeconds = connectTimeoutSeconds
        request.lowSpeedBytes = lowSpeedBytes
        request.lowSpeedSeconds = lowSpeedSeconds
        progress(.began(file, at: offset))
        let outcome = request.run(writer)
        let closeError = writer.close()
        progress(.ended)

        if writer.stopped { throw .stopped }
        if let error = writer.error ?? closeError { throw error }
        if writer.oversized { return true }
        if let failure = outcome.failure { throw DataError("\(url): \(failure)") }
        if outcome.status == 416, offset > 0 { return false }  // Nothing past the .part; the MD5 decides.
        guard outcome.status == 200 || outcome.status == 206 else {
            throw DataError("\(url): HTTP \(outcome.status)")
        }
        if writer.size < file.bytes {
            throw DataError("\(url): the transfer ended after \(writer.size) of \(file.bytes) bytes")
        }
        return false
    }

    /// `$CURL_CA_BUNDLE`, else `$SSL_CERT_FILE`: the CA bundle the curl tool would use.
    static var environmentCAFile: String? {
        for name in ["CURL_CA_BUNDLE", "SSL_CERT_FILE"] {
            if let value = getenv(name), value.pointee != 0 { return Path.string(cString: value) }
        }
        return nil
    }
}

extension DataError {
    /// A fetch stopped because a stop was requested; the `.part` files are kept.
    public static let stopped = DataError("stopped; the partial downloads are kept for the next fetch")
}

/// Writes a response's body to the `.part`: appending to it for a 206 that
/// starts where it ends, from scratch for a 200. The file is created by the
/// first body byte, and never grows past `limit`.
final class PartWriter: HTTPReceiver {
    let path: String
    let offset: Int
    let limit: Int
    let shouldStop: () -> Bool
    let onSize: (Int) -> Void
    /// The `.part`'s size now.
    private(set) var size: Int
    private(set) var error: DataError?
    private(set) var oversized = false
    private(set) var stopped = false
    private var fd: Int32 = -1

    init(path: String, offset: Int, limit: Int, shouldStop: @escaping () -> Bool, onSize: @escaping (Int) -> Void) {
        self.path = path
        self.offset = offset
        self.limit = limit
        self.shouldStop = shouldStop
        self.onSize = onSize
        size = offset
    }

    func begin(status: Int, rangeStart: Int?) -> Bool {
        if fd >= 0 { _ = close() }
        if status == 206 {
            guard rangeStart == offset else {
                // Not the rest of this .part: start over on the next try.
                _ = Path.unlink(path)
                error = DataError(
                    "the server answered a range from \(rangeStart.map(String.init) ?? "nowhere"), not \(offset)")
                return false
            }
            fd = Path.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        } else {
            // The whole file (the server ignored the range, or none was asked for).
            fd = Path.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            size = 0
        }
        guard fd >= 0 else {
            error = DataError("\(path): \(String(cString: strerror(errno)))")
            return false
        }
        onSize(size)
        return true
    }

    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let take = min(bytes.count, limit - size)
        var written = 0
        while written < take {
            let n = write(fd, bytes.baseAddress! + written, take - written)
            if n < 0 {
                if errno == EINTR { continue }
                error = DataError("\(path): \(String(cString: strerror(errno)))")
                return false
            }
            written += n
        }
        size += take
        onSize(size)
        if take < bytes.count {
            oversized = true
            return false
        }
        return tick()
    }

    func tick() -> Bool {
        if shouldStop() { stopped = true }
        return !stopped
    }

    /// Flushes and closes the `.part`, if one was opened.
    func close() -> DataError? {
        guard fd >= 0 else { return nil }
        defer {
            Glibc.close(fd)
            fd = -1
        }
        guard fsync(fd) == 0 else { return DataError("\(path): \(String(cString: strerror(errno)))") }
        return nil
    }
}
