import AEData
import Foundation
import TestSupport
import Testing

/// Downloads through libcurl against local servers (Tests/Fixtures/http_server.py)
/// serving small files: HTTPS, redirects, resuming, chunked replies, and the
/// `.part` file's limits. Needs no Fashion-MNIST data.
@Suite(.serialized, .timeLimit(.minutes(1))) struct DownloadTests {
    struct Run {
        var dir: String
        var log: [String] = []
        /// The largest `.part` size reported while downloading.
        var largestPart = 0
    }

    /// Fetches `data.files` (or `files`) from `url` into a fresh folder.
    func fetch(
        _ url: String, _ data: FakeData, files: [FashionMNIST.File]? = nil, dir: String? = nil, attempts: Int = 1,
        caFile: String? = nil, stopAfter: Int? = nil
    ) throws -> (Run, DataError?) {
        let folder = try dir ?? CLI.temporaryDirectory() + "/data"
        final class Record {
            var log: [String] = []
            var largest = 0
        }
        let record = Record()
        var fetch = DatasetFetch(baseURL: url, directory: folder)
        fetch.files = files ?? data.files
        fetch.attempts = attempts
        fetch.retryDelaySeconds = 0
        fetch.caFile = try caFile ?? TestCertificate.shared.get().cert
        fetch.log = { record.log.append($0) }
        fetch.progress = { event in
            if case .received(let bytes) = event { record.largest = max(record.largest, bytes) }
        }
        if let stopAfter { fetch.shouldStop = { record.largest >= stopAfter } }
        var failure: DataError?
        do { try fetch.run() } catch { failure = error }
        return (Run(dir: folder, log: record.log, largestPart: record.largest), failure)
    }

    func names(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Every file arrived whole, and no `.part` is left.
    func expectComplete(_ run: Run, _ data: FakeData, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(names(run.dir) == data.files.map(\.name).sorted(), sourceLocation: sourceLocation)
        for file in data.files {
            #expect(
                firstDifference(try bytes("\(run.dir)/\(file.name)"), data.contents[file.name]!) == nil,
                sourceLocation: sourceLocation)
        }
    }

    @Test func httpsWithTheTestCA() throws {
        let data = try FakeData()
        let server = try LocalServer(tls: data.directory)
        let (run, failure) = try fetch(server.httpsURL, data)
        #expect(failure == nil)
        try expectComplete(run, data)
    }

    @Test func httpsRefusesAServerItCannotVerify() throws {
        let data = try FakeData()
        let server = try LocalServer(tls: data.directory)
        // The system's CAs do not know the test certificate.
        let (run, failure) = try fetch(server.httpsURL, data, caFile: "/etc/ssl/certs/ca-certificates.crt")
        #expect(failure?.description.contains("certificate") == true, "\(String(describing: failure))")
        #expect(names(run.dir).isEmpty)
    }

    @Test func followsARedirect() throws {
        let data = try FakeData()
        let log = try CLI.temporaryDirectory() + "/requests.log"
        let server = try LocalServer(tls: data.directory, ["--log", log])
        let (run, failure) = try fetch(server.httpsURL + "moved/", data)
        #expect(failure == nil)
        try expectComplete(run, data)
        let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(requests.prefix(2) == ["redirect /moved/a.bin", "a.bin -"])
    }

    @Test func aRedirectLoopIsAnError() throws {
        let data = try FakeData()
        let server = try LocalServer(serving: data.directory)
        let (run, failure) = try fetch(server.url + "loop/", data)
        #expect(failure?.description.contains("redirects") == true, "\(String(describing: failure))")
        #expect(names(run.dir).isEmpty)
    }

    @Test func resumesFromThePart() throws {
        let data = try FakeData()
        let dir = try CLI.temporaryDirectory()
        let log = dir + "/requests.log"
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try Data(data.contents["a.bin"]![..<120_000]).write(to: URL(fileURLWithPath: dir + "/data/a.bin.part"))
        let server = try LocalServer(tls: data.directory, ["--log", log])
        let (run, failure) = try fetch(server.httpsURL, data, dir: dir + "/data")
        #expect(failure == nil)
        try expectComplete(run, data)
        let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(requests == ["a.bin bytes=120000-", "b.bin -"])
    }

    /// A server that answers a range with the whole file (200): the `.part` starts over.
    @Test func restartsWhenTheServerIgnoresTheRange() throws {
        let data = try FakeData()
        let dir = try CLI.temporaryDirectory() + "/data"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(repeating: 0x55, count: 50_000).write(to: URL(fileURLWithPath: dir + "/a.bin.part"))
        let server = try LocalServer(serving: data.directory, ["--no-range"])
        let (run, failure) = try fetch(server.url, data, dir: dir)
        #expect(failure == nil)
        try expectComplete(run, data)
    }

    @Test func chunkedReplies() throws {
        let data = try FakeData()
        let server = try LocalServer(tls: data.directory, ["--chunked"])
        let (run, failure) = try fetch(server.httpsURL, data)
        #expect(failure == nil)
        try expectComplete(run, data)
    }

    /// The server sends 3,000 bytes where 1,000 are expected: the `.part`
    /// stops at 1,000, and the MD5 of those decides.
    @Test func thePartStopsAtTheExpectedSize() throws {
        let data = try FakeData()
        let b = data.contents["b.bin"]!
        let short = FashionMNIST.File(name: "b.bin", md5: MD5.hex(b[..<1_000]), bytes: 1_000)
        let server = try LocalServer(serving: data.directory)
        let (run, failure) = try fetch(server.url, data, files: [short])
        #expect(failure == nil)
        #expect(run.largestPart == 1_000)
        #expect(firstDifference(try bytes(run.dir + "/b.bin"), Array(b[..<1_000])) == nil)
        #expect(run.log.contains("b.bin: the server sends more than 1000 bytes; the first 1000 are kept"))
    }

    /// A body that never ends is cut at the expected size.
    @Test func anEndlessBodyIsCut() throws {
        let data = try FakeData()
        let server = try LocalServer(serving: data.directory, ["--endless"])
        let (run, failure) = try fetch(server.url, data)
        #expect(failure == nil)
        #expect(run.largestPart == 200_000)
        try expectComplete(run, data)
    }

    @Test func anOversizedWrongBodyIsRefused() throws {
        let data = try FakeData()
        let wrong = FashionMNIST.File(name: "b.bin", md5: MD5.hex([UInt8](repeating: 1, count: 1_000)), bytes: 1_000)
        let server = try LocalServer(serving: data.directory, ["--endless"])
        let (run, failure) = try fetch(server.url, data, files: [wrong], attempts: 2)
        #expect(
            failure?.description
                == "b.bin: the server sends more than the expected 1000 bytes, and the MD5 of the first 1000, "
                + "\(MD5.hex(data.contents["b.bin"]![..<1_000])), does not match the published \(wrong.md5)")
        #expect(run.largestPart == 1_000)
        #expect(names(run.dir).isEmpty)
    }

    /// Nothing listens: no `.part` is created, and an empty one left over is removed.
    @Test func aRefusedConnectionLeavesNoPart() throws {
        let data = try FakeData()
        let port = try Self.closedPort()
        let dir = try CLI.temporaryDirectory() + "/data"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: dir + "/a.bin.part"))
        let (run, failure) = try fetch("http://127.0.0.1:\(port)/", data, dir: dir, attempts: 2)
        #expect(failure == DataError("a.bin: http://127.0.0.1:\(port)/a.bin: cannot connect (Connection refused)"))
        #expect(names(run.dir).isEmpty)
    }

    /// A stop request ends the download at once and keeps the `.part` for the next fetch.
    @Test func aStopKeepsThePart() throws {
        let data = try FakeData()
        let server = try LocalServer(serving: data.directory, ["--slow", "2000"])
        let started = Date()
        let (run, failure) = try fetch(server.url, data, attempts: 3, stopAfter: 10_000)
        #expect(failure == .stopped)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(names(run.dir) == ["a.bin.part"])
        let kept = try bytes(run.dir + "/a.bin.part")
        #expect(kept.count >= 10_000 && kept.count < 200_000)
        #expect(firstDifference(kept, Array(data.contents["a.bin"]![..<kept.count])) == nil)
    }

    @Test func aMissingLibcurlIsOneClearLine() {
        #expect {
            try HTTPDownload.load(library: "libcurl-absent.so.4")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("downloading needs libcurl (libcurl-absent.so.4: cannot open shared object file")
                && text.hasSuffix("install the package libcurl4 (Debian, Ubuntu)") && !text.contains("\n")
        }
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw FakeData.Failure(description: "cannot bind a socket") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
