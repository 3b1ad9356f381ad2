import AESystem
import Foundation
import TestSupport
import Testing

/// Nothing a command prints misleads: JSON always parses, a wrong file never
/// comes with exit 0, a failure never shifts later outputs unannounced, and
/// names and metadata cannot forge lines or drive the terminal.
@Suite struct NothingMisleadingTests {
    /// Python's json module, strict: NaN and Infinity are refused.
    static let strictJSON = """
        import json, sys
        def refuse(constant): raise ValueError('not JSON: ' + constant)
        for line in open(sys.argv[1]):
            if line.strip(): json.loads(line, parse_constant=refuse)
        print('ok')
        """

    static func parsesStrictly(_ text: [UInt8]) throws -> Bool {
        let dir = try CLI.temporaryDirectory()
        try Data(text).write(to: URL(fileURLWithPath: "\(dir)/j"))
        let result = try CLI.python(strictJSON, ["\(dir)/j"])
        return CLI.lines(result) == ["ok"]
    }

    /// `eval --json` with no noise has an infinite PSNR for the noisy input: it comes out as null.
    @Test(.needsData) func evalJSONParsesWhateverTheNumbers() throws {
        let result = try CLI.run(["eval", "--noise", "0", "--repeats", "1", "--json"] + data)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.parsesStrictly(result.stdout))
        #expect(String(decoding: result.stdout, as: UTF8.self).contains("\"psnr\":null"))
    }

    @Test func infoJSONParses() throws {
        let result = try CLI.run(["info", "--json"])
        #expect(result.status == 0)
        #expect(try Self.parsesStrictly(result.stdout))
    }

    /// A run whose loss becomes NaN stops there: exit 1, one line, no final
    /// checkpoint, the last finite state kept, and a log that still parses.
    @Test(.needsData) func aDivergedRunStopsAndKeepsTheLastFiniteState() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(
            ["train"] + data + [
                "--iterations", "40", "--lr", "1e30", "--eval-every", "1", "--log", "\(dir)/log", "-o",
                "\(dir)/m.safetensors",
            ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the run diverged"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.safetensors"))
        #expect(try Self.parsesStrictly(Fixtures.bytes("\(dir)/log")))
        if FileManager.default.fileExists(atPath: "\(dir)/m.resume.safetensors") {
            #expect(try CLI.run(["info", "\(dir)/m.resume.safetensors"]).status == 0)
        }
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

    @Test(.needsData) func exportingPastTheEndIsAUsageError() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(["data", "export"] + data + ["--start", "10000", "--out", "\(dir)/x"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("past the end of the test split (10000 images)"))
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

    /// In --lines, a placeholder is a blank image of the output's format under
    /// the record's key, and a payload may end in a carriage return or blanks.
    @Test func linePlaceholdersAreBlankImages() throws {
        let good = Base64.encode(try Fixtures.bytes(shirt))
        let input = "a\t\(good)\r\nb\tnot-base64!\nc\t\(good)  \n"
        for format in ["png", "pgm"] {
            let result = try CLI.run(
                ["--lines", "--format", format, "--on-error", "placeholder"], stdin: Array(input.utf8))
            #expect(result.status == 1)
            #expect(result.stderrLines.count == 1, "\(result.stderr)")
            let records = CLI.lines(result).map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            #expect(records.map { String($0[0]) } == ["a", "b", "c"])
            let blank = try #require(records.count == 3 ? Base64.decode(Array(records[1][1].utf8)) : nil)
            let decoded = try CLI.run(["--emit", "input", "--format", "pgm"], stdin: blank)
            #expect(decoded.status == 0 && decoded.stdout.suffix(784).allSatisfy { $0 == 0 })
        }
    }

    /// A value quoted in a usage error cannot start a line of its own or reach the terminal.
    @Test(arguments: [["--on-error"], ["--format"], ["eval", "--levels"], ["train", "--noise-range"], ["--bogus="]])
    func usageErrorsEscapeTheValuesTheyQuote(prefix: [String]) throws {
        let value = "x\u{1B}[2J\nFAKE"
        let arguments = prefix.last!.hasSuffix("=") ? [prefix.last! + value] : prefix + [value]
        let result = try CLI.run(Array(arguments))
        #expect(result.status == 64)
        #expect(!result.stderr.contains("\u{1B}"))
        #expect(!result.stderrLines.contains { $0.hasPrefix("FAKE") }, "\(result.stderr)")
    }

    /// A name with a newline and an escape sequence cannot forge a summary
    /// line or colour the terminal; metadata printed by `info` is escaped too.
    @Test func namesAndMetadataCannotForgeLines() throws {
        let dir = try CLI.temporaryDirectory()
        let forged = "x.png\nae-filter: summary: 9 processed, 0 failed, 0 skipped\u{1B}[2J.png"
        try Data("junk".utf8).write(to: URL(fileURLWithPath: "\(dir)/\(forged)"))
        let result = try CLI.run(["--summary", "--format", "pgm", forged], in: dir)
        #expect(result.stderrLines.count == 2)
        #expect(
            result.stderrLines[0].contains("x.png\\nae-filter: summary: 9 processed, 0 failed, 0 skipped\\x1b[2J.png"))
        #expect(!result.stderr.contains("\u{1B}"))

        let metadata = try CLI.python(
            """
            import json, struct, sys
            data = open(sys.argv[1], 'rb').read()
            n = struct.unpack('<Q', data[:8])[0]
            header = json.loads(data[8:8 + n])
            header['__metadata__'] = {'note': 'line\\nmetrics: forged\\u001b[31m'}
            text = json.dumps(header).encode()
            text += b' ' * (-len(text) % 8)
            open(sys.argv[2], 'wb').write(struct.pack('<Q', len(text)) + text + data[8 + n:])
            """, [Fixtures.referenceCheckpoint, "\(dir)/m.safetensors"])
        #expect(metadata.status == 0, "\(metadata.stderr)")
        let info = try CLI.run(["info", "\(dir)/m.safetensors"])
        let text = String(decoding: info.stdout, as: UTF8.self)
        #expect(text.contains("note: line\\nmetrics: forged\\x1b[31m"))
        #expect(!text.contains("\u{1B}"))
    }

    /// Finite weights can still overflow on an input: that image fails instead of coming out black or white.
    @Test func anOutputThatIsNotFiniteIsReported() throws {
        let dir = try CLI.temporaryDirectory()
        let made = try CLI.python(
            """
            import json, struct, sys
            data = open(sys.argv[1], 'rb').read()
            n = struct.unpack('<Q', data[:8])[0]
            header = json.loads(data[8:8 + n])
            body = bytearray(data[8 + n:])
            begin, end = header['fc1.weight']['data_offsets']
            body[begin:end] = struct.pack('<f', 3e38) * ((end - begin) // 4)
            open(sys.argv[2], 'wb').write(data[:8 + n] + bytes(body))
            """, [Fixtures.referenceCheckpoint, "\(dir)/m.safetensors"])
        #expect(made.status == 0, "\(made.stderr)")
        let result = try CLI.run(["--model", "\(dir)/m.safetensors", shirt])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("the model's output is not finite"), "\(result.stderr)")
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
