import AEData
import Foundation
import TestSupport
import Testing

/// `ae-filter data fetch` run as a process against local servers: proxies
/// from the environment, signals, the progress line, the default folder.
/// The files served carry the official names but not their contents, so each
/// run stops at the first file (its body ends short); what the tests look at
/// happens before that.
@Suite(.serialized, .timeLimit(.minutes(1))) struct FetchCommandTests {
    static let shortBody = "the transfer ended after 300000 of 26421880 bytes"

    /// This process's environment without proxies or data settings, plus `extra`.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !name.lowercased().hasSuffix("_proxy") && !["AE_FILTER_DATA", "XDG_CACHE_HOME", "NO_COLOR"].contains(name)
        }
        environment.merge(extra) { $1 }
        return environment
    }

    /// `ae-filter data fetch ARGUMENTS --attempts 1`.
    static func fetch(_ arguments: [String], _ environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(
            executable: CLI.binary, ["data", "fetch"] + arguments + ["--attempts", "1"],
            environment: Self.environment(environment))
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func proxiesComeFromTheEnvironment() throws {
        let data = try FakeData(officialNames: true)
        let certificate = try TestCertificate.shared.get()
        let dir = try CLI.temporaryDirectory()
        let https = try LocalServer(tls: data.directory, ["--log", dir + "/https.log"])
        let http = try LocalServer(serving: data.directory, ["--log", dir + "/http.log"])
        let proxy = try LocalServer("http_proxy.py", ["--log", dir + "/proxy.log"])
        let proxyURL = "http://127.0.0.1:\(proxy.port)"
        // HTTPS through a CONNECT tunnel, verified with the CA in $CURL_CA_BUNDLE.
        let tunnelled = try Self.fetch(
            [dir + "/one", "--url", https.httpsURL], ["https_proxy": proxyURL, "CURL_CA_BUNDLE": certificate.cert])
        #expect(tunnelled.stderr.contains(Self.shortBody), "\(tunnelled.stderr)")
        // HTTP as a GET of the whole URL.
        let forwarded = try Self.fetch([dir + "/two", "--url", http.url], ["http_proxy": proxyURL])
        #expect(forwarded.stderr.contains(Self.shortBody), "\(forwarded.stderr)")
        // no_proxy: straight to the server.
        let direct = try Self.fetch(
            [dir + "/three", "--url", http.url], ["http_proxy": proxyURL, "no_proxy": "127.0.0.1"])
        #expect(direct.stderr.contains(Self.shortBody), "\(direct.stderr)")

        #expect(
            Self.lines(dir + "/proxy.log") == [
                "CONNECT 127.0.0.1:\(https.port)", "GET http://127.0.0.1:\(http.port)/train-images-idx3-ubyte.gz",
            ])
        #expect(Self.lines(dir + "/https.log") == ["train-images-idx3-ubyte.gz -"])
        #expect(Self.lines(dir + "/http.log") == ["train-images-idx3-ubyte.gz -", "train-images-idx3-ubyte.gz -"])
    }

    /// SIGTERM or SIGINT during a slow download: 128 + N at once, the `.part` kept.
    /// A proxy that cannot be reached is named as the one that failed, not
    /// the server (issue 24, L5); without one, or exempted, nothing is said of one.
    @Test func aDeadProxyIsNamed() throws {
        let dir = try CLI.temporaryDirectory()
        let url = "http://127.0.0.1:9/"
        let dead = try Self.fetch([dir + "/a", "--url", url], ["http_proxy": "http://127.0.0.1:1"])
        #expect(dead.status == 1)
        #expect(dead.stderr.contains("through the proxy http://127.0.0.1:1 that http_proxy names"), "\(dead.stderr)")
        let all = try Self.fetch([dir + "/b", "--url", url], ["ALL_PROXY": "http://127.0.0.1:1"])
        #expect(all.stderr.contains("through the proxy http://127.0.0.1:1 that ALL_PROXY names"), "\(all.stderr)")
        let exempt = try Self.fetch(
            [dir + "/c", "--url", url], ["http_proxy": "http://127.0.0.1:1", "no_proxy": "localhost,127.0.0.1"])
        #expect(exempt.status == 1)
        #expect(exempt.stderr.contains("cannot connect") && !exempt.stderr.contains("proxy"), "\(exempt.stderr)")
    }

    @Test(arguments: zip([SIGTERM, SIGINT], [Int32(143), 130]))
    func aSignalStopsASlowDownload(signal: Int32, status: Int32) throws {
        let data = try FakeData(officialNames: true)
        let server = try LocalServer(serving: data.directory, ["--slow", "2000"])
        let dir = try CLI.temporaryDirectory() + "/data"
        let part = dir + "/train-images-idx3-ubyte.gz.part"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["data", "fetch", dir, "--url", server.url]
        process.environment = Self.environment([:])
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        func partSize() -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: part))?[.size] as? Int) ?? 0
        }
        let deadline = Date().addingTimeInterval(10)
        while partSize() < 20_000, Date() < deadline { usleep(20_000) }
        let sent = Date()
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == status)
        #expect(Date().timeIntervalSince(sent) < 3)
        let kept = partSize()
        #expect(kept >= 20_000 && kept < 300_000)
        #expect(!FileManager.default.fileExists(atPath: dir + "/train-images-idx3-ubyte.gz"))
    }

    /// Runs the fetch with standard error on a terminal (a pty) and returns what it drew there.
    static let onATerminal = """
        import os, pty, select, subprocess, sys
        master, slave = pty.openpty()
        p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        out = b""
        while select.select([master], [], [], 30)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            out += data
        p.wait()
        sys.stdout.buffer.write(out)
        """

    static func fetchOnATerminal(_ arguments: [String], _ environment: [String: String]) throws -> String {
        let result = try CLI.run(
            executable: "/usr/bin/env",
            ["python3", "-c", onATerminal, CLI.binary, "data", "fetch"] + arguments + ["--attempts", "1"],
            environment: Self.environment(environment))
        return String(decoding: result.stdout, as: UTF8.self)
    }

    @Test func aProgressLineOnATerminalOnly() throws {
        let data = try FakeData(officialNames: true)
        let server = try LocalServer(serving: data.directory)
        let dir = try CLI.temporaryDirectory()
        let label = "train-images-idx3-ubyte.gz"

        // Redrawn in place, the name in bold; the final line kept.
        let live = try Self.fetchOnATerminal([dir + "/a", "--url", server.url], ["TERM": "xterm"])
        #expect(live.hasPrefix("\r\u{1B}[1m\(label)\u{1B}[0m  0 B / 25.2 MiB  0%\u{1B}[K"), "\(live.debugDescription)")
        #expect(live.contains("\r\u{1B}[1m\(label)\u{1B}[0m  293.0 KiB / 25.2 MiB  1%  in "))
        #expect(live.contains(Self.shortBody))

        // NO_COLOR: the same without bold.
        let plain = try Self.fetchOnATerminal(
            [dir + "/b", "--url", server.url], ["TERM": "xterm", "NO_COLOR": "1"])
        #expect(plain.hasPrefix("\r\(label)  0 B / 25.2 MiB  0%\u{1B}[K"), "\(plain.debugDescription)")
        #expect(!plain.contains("\u{1B}[1m"))

        // TERM=dumb: no redrawing, one final line.
        let dumb = try Self.fetchOnATerminal([dir + "/c", "--url", server.url], ["TERM": "dumb"])
        let dumbLines = dumb.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(dumbLines.count == 2, "\(dumb.debugDescription)")
        #expect(dumbLines.first?.hasPrefix("\(label)  293.0 KiB / 25.2 MiB  1%  in ") == true)
        #expect(!dumb.contains("\u{1B}") && !dumb.replacingOccurrences(of: "\r\n", with: "").contains("\r"))

        // --quiet: the error only.
        let quiet = try Self.fetchOnATerminal([dir + "/d", "--url", server.url, "-q"], ["TERM": "xterm"])
        #expect(
            quiet.components(separatedBy: "\r\n").filter { !$0.isEmpty } == [
                "ae-filter: \(dir)/d: \(Self.shortEnd(server))"
            ])

        // Not a terminal: no progress.
        let piped = try Self.fetch([dir + "/e", "--url", server.url])
        #expect(piped.stderrLines == ["ae-filter: \(dir)/e: \(Self.shortEnd(server))"])
    }

    static func shortEnd(_ server: LocalServer) -> String {
        "train-images-idx3-ubyte.gz: \(server.url)train-images-idx3-ubyte.gz: the transfer ended after 300000 of 26421880 bytes"
    }

    /// `$XDG_CACHE_HOME/ae-filter/fashion-mnist`, else `~/.cache/...`, created
    /// with its parents; `$AE_FILTER_DATA` and `--data` override.
    @Test func theDefaultFolderIsTheUserCache() throws {
        let data = try FakeData(officialNames: true)
        let server = try LocalServer(serving: data.directory)
        let home = try CLI.temporaryDirectory()
        let part = "/train-images-idx3-ubyte.gz.part"
        let cases: [([String], [String: String], String)] = [
            ([], ["HOME": home, "XDG_CACHE_HOME": home + "/xdg"], home + "/xdg/ae-filter/fashion-mnist"),
            ([], ["HOME": home], home + "/.cache/ae-filter/fashion-mnist"),
            ([], ["HOME": home, "AE_FILTER_DATA": home + "/env"], home + "/env"),
            (["--data", home + "/option"], ["HOME": home, "AE_FILTER_DATA": home + "/env"], home + "/option"),
        ]
        for (arguments, environment, folder) in cases {
            let result = try Self.fetch(arguments + ["--url", server.url, "--quiet"], environment)
            #expect(result.stderrLines == ["ae-filter: \(folder): \(Self.shortEnd(server))"])
            #expect(FileManager.default.fileExists(atPath: folder + part))
        }
    }

    /// libcurl is loaded by `data fetch` only, when it downloads; the filter never maps it.
    @Test func onlyAFetchLoadsLibcurl() throws {
        let dir = try CLI.temporaryDirectory()
        let trace = Self.environment(["LD_DEBUG": "files"])
        let filter = try CLI.run(
            executable: CLI.binary, [Fixtures.fixture("pattern.ppm"), "-o", dir + "/out.png"], environment: trace)
        #expect(filter.status == 0)
        #expect(!filter.stderr.contains("libcurl"))
        let fetch = try CLI.run(
            executable: CLI.binary,
            ["data", "fetch", dir + "/data", "--url", "http://127.0.0.1:9/", "--attempts", "1"],
            environment: trace)
        #expect(fetch.stderr.contains("file=libcurl.so.4 [0];  dynamically loaded by"))
    }

    @Test func usageErrors() throws {
        let ftp = try Self.fetch(["--url", "ftp://127.0.0.1/"])
        #expect(ftp.status == 64)
        #expect(ftp.stderrLines.first == "ae-filter: --url must be an http:// or https:// URL")
        let twice = try Self.fetch(["/tmp/a", "--data", "/tmp/b"])
        #expect(twice.status == 64)
        #expect(twice.stderrLines.first == "ae-filter: give the directory once: DIR or --data DIR")
        let noCA = try Self.fetch(["--cacert", "/nonexistent/ca.pem"])
        #expect(noCA.status == 64)
        #expect(noCA.stderrLines.first == "ae-filter: --cacert /nonexistent/ca.pem: No such file or directory")
    }
}
