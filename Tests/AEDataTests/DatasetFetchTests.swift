import AEData
import Foundation
import TestSupport
import Testing

/// `data fetch` against a local server (Tests/Fixtures/http_server.py) that
/// serves the real files, and misbehaves on request.
@Suite(.serialized, .needsData) struct DatasetFetchTests {
    func serve(_ options: [String]) throws -> LocalServer {
        try LocalServer(serving: Fixtures.dataDirectory, options)
    }

    func fetch(_ server: LocalServer, into directory: String, attempts: Int = 3) throws {
        var fetch = DatasetFetch(baseURL: server.url, directory: directory)
        fetch.attempts = attempts
        fetch.retryDelaySeconds = 0
        try fetch.run()
    }

    func names(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test func downloadsAndVerifiesAllFour() throws {
        let server = try serve([])
        let dir = try CLI.temporaryDirectory() + "/data"
        try fetch(server, into: dir)
        #expect(try names(dir) == FashionMNIST.files.map(\.name).sorted())
        #expect(try FashionMNIST(directory: dir).isOfficial)
    }

    @Test func resumesACutDownload() throws {
        let dir = try CLI.temporaryDirectory()
        let log = dir + "/requests.log"
        let server = try serve(["--cut-after", "100000", "--log", log])
        try fetch(server, into: dir + "/data")
        #expect(try FashionMNIST(directory: dir + "/data").isOfficial)
        #expect(try names(dir + "/data").allSatisfy { !$0.hasSuffix(".part") })
        // The second request for the big file asked for the rest only.
        let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(requests.contains("train-images-idx3-ubyte.gz -"))
        #expect(requests.contains("train-images-idx3-ubyte.gz bytes=100000-"))
    }

    @Test func restartsWhenTheServerIgnoresRanges() throws {
        let server = try serve(["--cut-after", "3000", "--no-range"])
        let dir = try CLI.temporaryDirectory()
        try fetch(server, into: dir)
        #expect(try FashionMNIST(directory: dir).isOfficial)
    }

    @Test func neverKeepsAFileWithTheWrongMD5() throws {
        let server = try serve(["--corrupt", "t10k-labels-idx1-ubyte.gz"])
        let dir = try CLI.temporaryDirectory()
        #expect {
            try fetch(server, into: dir, attempts: 2)
        } throws: { error in
            "\(error)".hasPrefix("t10k-labels-idx1-ubyte.gz: MD5 ")
                && "\(error)".contains("does not match the published bb300cfdad3c16e7a12a480ee83cd310")
        }
        #expect(
            try names(dir) == ["t10k-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"])
    }

    @Test func presentFilesAreNotDownloadedAgain() throws {
        let dir = try CLI.temporaryDirectory()
        for file in FashionMNIST.files {
            try FileManager.default.copyItem(
                atPath: Fixtures.data("\(file.name)"), toPath: "\(dir)/\(file.name)")
        }
        // Nothing listens on this port: any download attempt would fail.
        var fetch = DatasetFetch(baseURL: "http://127.0.0.1:9/", directory: dir)
        fetch.attempts = 1
        try fetch.run()
    }

    @Test func unreachableServerIsAClearError() throws {
        let dir = try CLI.temporaryDirectory()
        var fetch = DatasetFetch(baseURL: "http://127.0.0.1:9/", directory: dir)
        fetch.attempts = 2
        fetch.retryDelaySeconds = 0
        #expect(
            throws: DataError(
                "train-images-idx3-ubyte.gz: http://127.0.0.1:9/train-images-idx3-ubyte.gz: cannot connect (Connection refused)"
            )
        ) { try fetch.run() }
    }
}
