import AEFilterCore
import AESystem
import Glibc

/// `ae-filter data fetch`: downloads the four Fashion-MNIST files, resuming
/// partial downloads (`NAME.part`), retrying, and checking each MD5 before the
/// file gets its final name, so a corrupt file never sits under it.
public struct DatasetFetch {
    public var baseURL: String
    public var directory: String
    public var attempts = 4
    public var retryDelaySeconds: UInt32 = 1
    public var log: (String) -> Void = { _ in }

    public init(baseURL: String = FashionMNIST.baseURL, directory: String) {
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.directory = directory
    }

    public func run() throws(DataError) {
        if mkdir(directory, 0o755) != 0, errno != EEXIST {
            throw DataError("\(directory): \(String(cString: strerror(errno)))")
        }
        for file in FashionMNIST.files {
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
        var lastError = DataError("\(file.name): not downloaded")
        for attempt in 1...max(1, attempts) {
            do {
                try download(baseURL + file.name, to: part)
                let bytes = try FileReader.read(part)
                let md5 = MD5.hex(bytes)
                guard md5 == file.md5 else {
                    unlink(part)
                    throw DataError("MD5 \(md5) does not match the published \(file.md5)")
                }
                guard rename(part, target) == 0 else {
                    throw DataError("\(target): \(String(cString: strerror(errno)))")
                }
                log("\(file.name): \(bytes.count) bytes, MD5 ok")
                return
            } catch let error as DataError {
                lastError = DataError("\(file.name): \(error)")
            } catch {
                lastError = DataError("\(file.name): \(error)")
            }
            if attempt < attempts {
                log("\(lastError); retrying (\(attempt + 1) of \(attempts))")
                sleep(retryDelaySeconds * UInt32(attempt))
            }
        }
        throw lastError
    }

    /// Appends to `part` from its current size, or starts over when the server ignores the range.
    func download(_ url: String, to part: String) throws {
        let fd = open(part, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataError("\(part): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let offset = Int(lseek(fd, 0, SEEK_END))
        let response = try HTTPDownload.get(url, from: offset) { bytes in
            try writeAll(fd, bytes, path: part)
        } onResponse: { response in
            if response.status == 200, offset > 0 {
                // The server sent the whole file: start over.
                ftruncate(fd, 0)
                lseek(fd, 0, SEEK_SET)
            }
        }
        if response.status == 416, offset > 0 { return }  // Already complete; the MD5 decides.
        guard response.status == 200 || response.status == 206 else {
            throw DataError("\(url): HTTP \(response.status)")
        }
        guard fsync(fd) == 0 else { throw DataError("\(part): \(String(cString: strerror(errno)))") }
    }

    func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError("\(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
