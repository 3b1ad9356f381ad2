import AEData
import Foundation
import TestSupport

/// A Python script from `Tests/Fixtures` serving on 127.0.0.1 (http_server.py,
/// http_proxy.py): it prints its port first, and is killed with this object.
final class LocalServer {
    let process = Process()
    let port: Int

    init(_ script: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.fixture(script)] + arguments + ["--lifetime", "60"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { break }
            line += byte
        }
        port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// http_server.py serving `directory` with `options`.
    convenience init(serving directory: String, _ options: [String] = []) throws {
        try self.init("http_server.py", [directory] + options)
    }

    /// http_server.py serving `directory` over HTTPS with the test certificate.
    convenience init(tls directory: String, _ options: [String] = []) throws {
        let certificate = try TestCertificate.shared.get()
        try self.init("http_server.py", [directory, "--tls", certificate.cert, certificate.key] + options)
    }

    var url: String { "http://127.0.0.1:\(port)/" }
    var httpsURL: String { "https://127.0.0.1:\(port)/" }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A self-signed certificate for 127.0.0.1, made once with the openssl tool;
/// `cert` is also the CA file clients verify it with.
struct TestCertificate {
    let cert: String
    let key: String

    static let shared = Result { () throws -> TestCertificate in
        let dir = try CLI.temporaryDirectory()
        let made = try CLI.run(
            executable: "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(dir)/key.pem", "-out", "\(dir)/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        guard made.status == 0 else { throw FakeData.Failure(description: "openssl: \(made.stderr)") }
        return TestCertificate(cert: "\(dir)/cert.pem", key: "\(dir)/key.pem")
    }
}

/// Small files to serve in place of Fashion-MNIST, with their sizes and MD5s.
struct FakeData {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The folder the server serves.
    let directory: String
    let files: [FashionMNIST.File]
    let contents: [String: [UInt8]]

    /// `a.bin` (200,000 bytes) and `b.bin` (3,000), or with `officialNames`
    /// the four Fashion-MNIST names (their MD5s and sizes then do not match:
    /// for runs of the binary that only need a download to start).
    init(officialNames: Bool = false) throws {
        directory = try CLI.temporaryDirectory() + "/served"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let names = officialNames ? FashionMNIST.files.map(\.name) : ["a.bin", "b.bin"]
        let sizes = officialNames ? [300_000, 3_000, 50_000, 1_000] : [200_000, 3_000]
        var contents: [String: [UInt8]] = [:]
        var files: [FashionMNIST.File] = []
        var state: UInt32 = 12345
        for (name, size) in zip(names, sizes) {
            let bytes = (0..<size).map { _ -> UInt8 in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
            contents[name] = bytes
            files.append(FashionMNIST.File(name: name, md5: MD5.hex(bytes), bytes: size))
        }
        self.files = files
        self.contents = contents
    }
}
