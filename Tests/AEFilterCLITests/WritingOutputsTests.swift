import Foundation
import TestSupport
import Testing

/// Where outputs go, -o files and folders or standard output, and what a
/// failure there does: never a wrong file with exit 0, never a later output
/// shifted unannounced.
@Suite(.serialized) struct WritingOutputsTests {
    /// An -o folder that cannot be written is found before any image is
    /// computed: one line, not one per image (issue 24, L6). Run as another
    /// user, since root may write anywhere.
    @Test(
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")),
        arguments: ["out", "locked/deeper/out"])
    func anUnwritableOutputFolderIsFoundFirst(output: String) throws {
        let dir = try CLI.temporaryDirectory()
        chmod(dir, 0o755)
        try FileManager.default.createDirectory(atPath: "\(dir)/in", withIntermediateDirectories: true)
        for i in 0..<300 { try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/in/\(i).png") }
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir)/locked", withIntermediateDirectories: true)
        chmod("\(dir)/in", 0o755)
        chmod("\(dir)/out", 0o755)
        chmod("\(dir)/locked", 0o755)
        let result = try CLI.run(
            executable: "/usr/bin/setpriv",
            ["--reuid=54321", "--regid=54321", "--clear-groups", CLI.binary] + model + [
                "-o", "\(dir)/\(output)/", "\(dir)/in",
            ])
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1, "\(result.stderrLines.prefix(3))")
        #expect(result.stderr.contains("Permission denied"), "\(result.stderr)")
    }

    /// `--format idx` appending to a file that holds data would make a wrong file: refused.
    @Test func idxAppendedToDataIsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let script = """
            import subprocess, sys
            open('a.idx', 'wb').write(b'existing')
            r = subprocess.run([sys.argv[1], '--format', 'idx'], stdin=open(sys.argv[2], 'rb'), stdout=open('a.idx', 'ab'))
            print(r.returncode, open('a.idx', 'rb').read() == b'existing')
            open('b.idx', 'wb').close()
            r = subprocess.run([sys.argv[1], '--format', 'idx'], stdin=open(sys.argv[2], 'rb'), stdout=open('b.idx', 'ab'))
            data = open('b.idx', 'rb').read()
            print(r.returncode, len(data), data[:8].hex())
            """
        let result = try CLI.python(script, [CLI.binary, shirt], in: dir)
        #expect(CLI.lines(result) == ["1 True", "0 800 0000080300000001"], "\(result.stderr)")
    }

    /// Writing to a full device is an error for every command that prints.
    @Test(arguments: [["info"], ["plugins"], ["--help"], ["--version"], ["--version", "-v"], ["info", "--json"]])
    func aFullStandardOutputIsAnError(arguments: [String]) throws {
        let script =
            "import subprocess, sys; print(subprocess.run(sys.argv[1:], stdout=open('/dev/full', 'w')).returncode)"
        let result = try CLI.python(script, [CLI.binary] + arguments)
        #expect(CLI.lines(result) == ["1"])
        #expect(result.stderr.contains("cannot write standard output: No space left on device"))
    }

    /// With `--on-error placeholder` a bad image keeps its place in a stream;
    /// with `stop` nothing after it is written.
    @Test(arguments: ["png", "pgm", "idx"])
    func placeholdersKeepPositions(format: String) throws {
        let dir = try CLI.temporaryDirectory()
        try Data("junk".utf8).write(to: URL(fileURLWithPath: "\(dir)/bad.png"))
        let inputs = [shirt, "\(dir)/bad.png", shirt]
        func count(_ bytes: [UInt8]) -> Int {
            switch format {
            case "png": return splitPNGs(bytes).count
            case "pgm": return bytes.count / (13 + 784)
            default: return idxImages(bytes).count
            }
        }
        var counts: [Int] = []
        for policy in ["placeholder", "stop", "report"] {
            let result = try CLI.run(["--format", format, "--on-error", policy] + inputs)
            #expect(result.status == 1)
            #expect(result.stderrLines.count == 1, "\(result.stderr)")
            counts.append(count(result.stdout))
        }
        #expect(counts == [3, 1, 2])
    }

    /// A standard input or output the parent closed is an error, never an
    /// empty input, and no file the tool opens takes its place.
    @Test func closedStandardStreamsAreErrors() throws {
        let script = """
            import subprocess, sys
            for arguments, closed in [([], 0), (['info', '-'], 0), ([sys.argv[2]], 1)]:
                r = subprocess.run([sys.argv[1]] + arguments, pass_fds=(), stdin=None if closed else subprocess.DEVNULL,
                                   capture_output=False, stderr=subprocess.PIPE,
                                   preexec_fn=lambda c=closed: __import__('os').close(c))
                print(r.returncode, r.stderr.decode().strip())
            """
        let result = try CLI.python(script, [CLI.binary, shirt])
        #expect(
            CLI.lines(result) == [
                "1 ae-filter: -: standard input is closed",
                "1 ae-filter: -: standard input is closed",
                "1 ae-filter: error: standard output is closed",
            ], "\(result.stderr)")
    }
}

@Suite struct ClosedPipeTests {
    /// `ae-filter ... | head -c 100`: the filter ends quietly, whether SIGPIPE kills it or is ignored.
    @Test(arguments: [false, true])
    func endsQuietlyWhenTheReaderCloses(ignoreSigpipe: Bool) throws {
        let inputs = [String](repeating: shirt, count: 200)
        let script =
            (ignoreSigpipe ? "trap '' PIPE; " : "")
            + "\"$0\" --emit triptych --scale 16 \"$@\" | head -c 100 > /dev/null; echo ${PIPESTATUS[0]} >&2"
        let result = try CLI.run(executable: "/bin/bash", ["-c", script, CLI.binary] + model + inputs)
        let lines = result.stderrLines
        #expect(lines.count == 1, "error output: \(result.stderr)")
        #expect(lines.last == "141")
    }
}
