import AEFilterCore
import AEImageIO
import AESystem
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct StreamTests {
    static let inputs = [
        shirt, Fixtures.fixture("gray.jpg"), Fixtures.fixture("pattern.ppm"), Fixtures.fixture("rgb-progressive.jpg"),
        Fixtures.fixture("cmyk.jpg"), shirt,
    ]
    static let args = model + ["--emit", "input", "--format", "idx"]

    @Test func aMixedStreamComesOutInOrder() throws {
        let stream = try Self.inputs.flatMap { try Fixtures.bytes($0) } + Array("P2 2 1 255\n0 255\n".utf8)
        let result = try CLI.run(Self.args, stdin: stream)
        #expect(result.status == 0, "\(result.stderr)")
        let images = idxImages(result.stdout)
        // Each image equals the same file run on its own: order checked by content.
        let one = try Self.inputs.map { try idxImages(CLI.run(Self.args + [$0]).stdout)[0] }
        #expect(images.count == 7)
        #expect(firstDifference(Array(images.prefix(6)), one) == nil)
        #expect(Set(images.map { $0 }).count == 6)  // shirt twice, the rest differ
        #expect(Array(result.stdout[4..<8]) == [0, 0, 0, 7])
    }

    @Test func aTruncatedFinalImageKeepsTheOthers() throws {
        let bytes = try Fixtures.bytes(shirt)
        let result = try CLI.run(Self.args, stdin: bytes + bytes + Array(bytes.prefix(200)))
        #expect(result.status == 1)
        #expect(idxImages(result.stdout).count == 2)
        #expect(
            result.stderrLines == [
                "ae-filter: <stdin>, image 3: truncated PNG data: the input ends before the image does (the image starts at byte \(2 * bytes.count))"
            ])
    }

    /// Garbage between two images costs one message and one place; the image after it is found again.
    @Test func garbageCostsOneMessage() throws {
        let bytes = try Fixtures.bytes(shirt)
        let result = try CLI.run(model + ["--emit", "input", "--summary"], stdin: bytes + Array("hello".utf8) + bytes)
        #expect(result.status == 1)
        #expect(splitPNGs(result.stdout).count == 2)
        #expect(
            result.stderrLines == [
                "ae-filter: <stdin>, image 2: not a PNG, JPEG or PNM image (the image starts at byte \(bytes.count))",
                "ae-filter: summary: 2 processed, 1 failed, 0 skipped",
            ])
    }

    @Test(.needsData) func idxInAndOutIsExactAndGzipIsUndone() throws {
        let path = Fixtures.data("t10k-images-idx3-ubyte.gz")
        let result = try CLI.run(Self.args, stdin: Fixtures.bytes(path))
        #expect(result.status == 0)
        let original = try Gunzip.run(path)
        #expect(firstDifference(result.stdout, original) == nil)
        // Through a file argument too, and back again from the plain IDX on stdin.
        let dir = try CLI.temporaryDirectory()
        try Data(original).write(to: URL(fileURLWithPath: "\(dir)/images.idx3-ubyte"))
        #expect(try firstDifference(CLI.run(Self.args + ["\(dir)/images.idx3-ubyte"]).stdout, original) == nil)
        // -o FILE gets the same, atomically.
        #expect(try CLI.run(Self.args + ["-o", "\(dir)/out.idx", "\(dir)/images.idx3-ubyte"]).status == 0)
        #expect(try firstDifference(Fixtures.bytes("\(dir)/out.idx"), original) == nil)
    }

    @Test func pgmStreamHasOneP5ImagePerInput() throws {
        let result = try CLI.run(
            model + ["--emit", "triptych", "--format", "pgm", "--noise", "0.5", "--seed", "2", shirt, shirt])
        #expect(result.status == 0)
        let header = Array("P5\n84 28\n255\n".utf8)
        #expect(result.stdout.count == 2 * (header.count + 84 * 28))
        #expect(Array(result.stdout.prefix(header.count)) == header)
        #expect(Array(result.stdout[(header.count + 84 * 28)...].prefix(header.count)) == header)
    }

    @Test func linesModeKeepsKeysAndABadRecordKeepsItsPlace() throws {
        let good = Base64.encode(try Fixtures.bytes(shirt))
        let input = "first\t\(good)\nsecond\tnot base64!\n\(good)\r\nfourth\t\n"
        let result = try CLI.run(model + ["--lines", "--emit", "input"], stdin: Array(input.utf8))
        #expect(result.status == 1)
        let lines = String(decoding: result.stdout, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines[4].isEmpty)
        #expect(lines[1] == "second\t" && lines[3] == "fourth\t")
        #expect(lines[0].hasPrefix("first\t") && lines[2].hasPrefix("sha256:"))
        let decoded = try png(Base64.decode(Array(lines[0].utf8.dropFirst(6)))!)
        #expect(try decoded.pixels == png(Fixtures.bytes(shirt)).pixels)
        #expect(
            result.stderrLines == [
                "ae-filter: <stdin>, line 2, key second: invalid base64",
                "ae-filter: <stdin>, line 4, key fourth: empty record",
            ])
    }

    /// A key with control bytes or backslashes is escaped once in messages.
    @Test func keysAreEscapedOnceInMessages() throws {
        let result = try CLI.run(model + ["--lines"], stdin: Array("raw\u{1B}\tZm9v\nlit\\x1b\tZm9v\n".utf8))
        #expect(
            result.stderrLines == [
                "ae-filter: <stdin>, line 1, key raw\\x1b: not a PNG, JPEG or PNM image",
                "ae-filter: <stdin>, line 2, key lit\\\\x1b: not a PNG, JPEG or PNM image",
            ])
    }

    /// A line too long to hold is skipped to its end with its own key, keyed
    /// or keyless, and the records after it still come out; memory stays
    /// near the limit however long the line (issue 24, L7: a 300 MB record
    /// took 1.1 GB).
    @Test(arguments: [70_000_000, 300_000_000])
    func aLineTooLongIsReportedWithItsKeyAndTheRestGoOn(length: Int) throws {
        let good = Base64.encode(try Fixtures.bytes(shirt))
        let huge = "head -c \(length) /dev/zero | tr '\\0' A"
        let command = """
            { printf 'first\\t%s\\n' "$1"; printf 'big\\t'; \(huge); printf '\\n'; \(huge); \
              printf '\\nlast\\t%s\\n' "$1"; } | "$2" --lines --on-error mark
            """
        // Python runs the pipeline and reports the largest child's peak memory.
        let script = """
            import resource, subprocess, sys
            r = subprocess.run(sys.argv[1:], capture_output=True)
            sys.stderr.write(r.stderr.decode())
            sys.stdout.buffer.write(r.stdout)
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
            sys.exit(r.returncode)
            """
        var result = try CLI.python(script, ["/bin/bash", "-c", command, "bash", good, CLI.binary])
        let peakKB = Int(result.stderrLines.last ?? "") ?? .max
        result.stderr = result.stderrLines.dropLast().joined(separator: "\n")
        #expect(peakKB < 400_000, "peak \(peakKB) KB")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map { $0.prefix(80) }
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("first\t") && lines[3].hasPrefix("last\t"))
        #expect(lines[1] == "big\t\terror: line longer than 64 MiB; skipped")
        #expect(lines[2].hasPrefix("sha256:") && lines[2].contains("\t\terror: line longer"))
        #expect(result.stderrLines.first == "ae-filter: <stdin>, line 2, key big: line longer than 64 MiB; skipped")
    }

    /// The built-in backend computes each image alone, whatever else is in its batch.
    /// For the tutorial's checkpoint and the default model (the U-Net, its
    /// 3×3 convolutions as Winograd products); `scripts/cpu-matrix` runs it on every path.
    @Test(arguments: [model, []])
    func resultsDoNotDependOnJobsOrBatchSize(model: [String]) throws {
        let stream = try (0..<40).flatMap { _ in try Fixtures.bytes(shirt) }
        let base = model + ["--noise", "0.5", "--seed", "9", "--format", "idx"]
        let expected = try CLI.run(base + ["-j", "1", "--batch-size", "128"], stdin: stream).stdout
        for (jobs, batch) in [("3", "3"), ("2", "1"), ("1", "7"), ("2", "256"), ("1", "1"), ("2", "64")] {
            let got = try CLI.run(base + ["-j", jobs, "--batch-size", batch], stdin: stream).stdout
            #expect(firstDifference(got, expected) == nil, "-j \(jobs) --batch-size \(batch)")
        }
        // Each image drew its own noise.
        #expect(Set(idxImages(expected)).count == 40)
    }
}

/// gunzip through zcat, independent of the code under test.
enum Gunzip {
    static func run(_ path: String) throws -> [UInt8] {
        try CLI.run(executable: "/usr/bin/env", ["gzip", "-dc", path]).stdout
    }
}

extension StreamTests {
    /// An IDX3 file of `count` 28×28 images, each one grey value.
    static func idx(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, UInt8(count), 0, 0, 0, 28, 0, 0, 0, 28]
        for i in 0..<count { bytes += [UInt8](repeating: UInt8(40 * i + 20), count: 784) }
        return bytes
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let result = try CLI.run(executable: "/usr/bin/env", ["gzip", "-c"], stdin: bytes)
        return result.stdout
    }

    /// Junk after a gzipped IDX stream is reported like junk after a plain one
    /// (issue 24, M7), inside or outside the gzip data.
    @Test(arguments: ["outside", "inside", "plain"])
    func junkAfterAnIDXStreamIsReported(place: String) throws {
        let junk = Array("garbage".utf8)
        let input: [UInt8]
        switch place {
        case "outside": input = try Self.gzip(Self.idx(2)) + junk
        case "inside": input = try Self.gzip(Self.idx(2) + junk)
        default: input = Self.idx(2) + junk
        }
        let result = try CLI.run(model + ["--format", "pgm", "-"], stdin: input)
        #expect(result.status == 1)
        #expect(result.stdout.count == 2 * (13 + 784))
        let expected =
            place == "outside"
            ? "data after the gzip stream is not gzip; it was ignored"
            : "data after the 2 images the IDX header declares was ignored"
        #expect(result.stderrLines.count == 1 && result.stderr.contains(expected), "\(result.stderr)")
    }

    /// A binary PNM header the decoder refuses is refused where the stream is
    /// framed: its declared raster is not taken from the images after it
    /// (third probe of issue 24: four good PNGs were lost behind a maxval of 0).
    @Test(arguments: ["P6\n28 28\n0\n", "P5 28 28 65536\n", "P5 20 20 70000\n", "P5 28 28 255x", "P5 0 28 255\n"])
    func aBadPNMHeaderCostsOnePlace(header: String) throws {
        let good = try Fixtures.bytes(shirt)
        let input = good + Array(header.utf8) + good + good + good + good
        let result = try CLI.run(model + ["--on-error", "placeholder", "--format", "pgm", "-"], stdin: input)
        #expect(result.status == 1)
        #expect(result.stdout.count == 6 * (13 + 784), "\(result.stdout.count / (13 + 784)) images")
        #expect(result.stderrLines.count == 1 && result.stderr.contains("image 2: invalid PNM"), "\(result.stderr)")
    }

    /// A bad image in a stream costs its own place only: the images after it
    /// are found again by their signatures (issue 24, L1).
    @Test(arguments: ["png", "jpeg", "pnm"])
    func imagesAfterABadOneKeepTheirPlaces(after: String) throws {
        let good = try Fixtures.bytes(shirt)
        let last: [UInt8]
        switch after {
        case "jpeg": last = try Fixtures.bytes(Fixtures.fixture("gray.jpg"))
        case "pnm": last = Array("P5 28 28 255\n".utf8) + [UInt8](repeating: 99, count: 784)
        default: last = good
        }
        // Bytes that start no image, with a lone 0xFF and a 'P' that are not signatures.
        let bad = Array("not an image \u{7F}P at all".utf8) + [0xFF, 0xD8, 0x00, 0x89, 0x50]
        let result = try CLI.run(
            model + ["--on-error", "placeholder", "--format", "pgm", "-"], stdin: good + bad + last)
        #expect(result.status == 1)
        #expect(result.stdout.count == 3 * (13 + 784), "\(result.stdout.count)")
        #expect(
            result.stderrLines == [
                "ae-filter: <stdin>, image 2: not a PNG, JPEG or PNM image (the image starts at byte \(good.count))"
            ],
            "\(result.stderr)")
        // The third image is the one that came last, not a placeholder.
        let alone = try CLI.run(model + ["--format", "pgm", "-"], stdin: last)
        #expect(Array(result.stdout.suffix(797)) == alone.stdout)
    }
}

extension StreamTests {
}

/// A pipe that trickles, and streams whose data ends badly or goes on after
/// their end.
extension StreamTests {
    /// Images written one at a time, a byte every millisecond: each output
    /// comes back before the next image is sent, so nothing waits for the
    /// whole input or for a full batch.
    @Test func aTricklingPipeGetsEachOutputBeforeTheNextInput() throws {
        let script = """
            import os, subprocess, sys, time
            png = open(sys.argv[1], 'rb').read()
            p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
            for i in range(3):
                for b in png:
                    p.stdin.write(bytes([b]))
                    time.sleep(0.0005)
                out = b''
                deadline = time.time() + 20
                while not out.endswith(b'IEND\\xaeB`\\x82') and time.time() < deadline:
                    out += os.read(p.stdout.fileno(), 1 << 16)
                print('image', i, 'answered' if out.startswith(b'\\x89PNG') and out.endswith(b'IEND\\xaeB`\\x82') else 'MISSING', flush=True)
            p.stdin.close()
            rest = p.stdout.read()
            print('exit', p.wait(), 'extra bytes', len(rest))
            """
        let result = try CLI.run(
            executable: "/usr/bin/env",
            ["python3", "-c", script, shirt, CLI.binary, "--model", Fixtures.referenceCheckpoint, "--noise", "0.5"])
        #expect(
            String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") == [
                "image 0 answered", "image 1 answered", "image 2 answered", "exit 0 extra bytes 0",
            ], "\(result.stderr)")
    }

    /// An IDX header whose sizes overflow a multiplication is refused in one line.
    @Test func anIDXHeaderWithAbsurdSizesIsOneLine() throws {
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let result = try CLI.run(model, stdin: header)
        #expect(result.status == 1)
        #expect(result.stderrLines == ["ae-filter: <stdin>, image 1: invalid IDX image size 4294967295×4294967295"])
    }

    /// Data after a gzip stream ends it: every image before it comes out, then one line.
    @Test(arguments: [5, 200])
    func dataAfterAGzipStreamKeepsTheImagesBeforeIt(count: Int) throws {
        let dir = try CLI.temporaryDirectory()
        let stream = try (0..<count).flatMap { _ in try Fixtures.bytes(shirt) }
        try Data(stream).write(to: URL(fileURLWithPath: "\(dir)/s"))
        let gzip = try CLI.run(executable: "/usr/bin/env", ["gzip", "-c", "\(dir)/s"])
        let result = try CLI.run(["--summary", "--format", "idx"], stdin: gzip.stdout + Array("garbage\n".utf8))
        #expect(result.status == 1)
        #expect(idxImages(result.stdout).count == count)
        #expect(
            result.stderrLines == [
                "ae-filter: <stdin>, image \(count + 1): data after the gzip stream is not gzip; it was ignored",
                "ae-filter: summary: \(count) processed, 1 failed, 0 skipped",
            ])
    }

    /// A cut gzip stream, on standard input or named: the images before the cut
    /// come out, and the line names the input once.
    @Test func aTruncatedGzipStreamIsOneLineNamingItOnce() throws {
        let dir = try CLI.temporaryDirectory()
        let stream = try (0..<3).flatMap { _ in try Fixtures.bytes(shirt) }
        try Data(stream).write(to: URL(fileURLWithPath: "\(dir)/s"))
        let gzip = try CLI.run(executable: "/usr/bin/env", ["gzip", "-c", "\(dir)/s"]).stdout
        let cut = Array(gzip.prefix(gzip.count - 12))
        try Data(cut).write(to: URL(fileURLWithPath: "\(dir)/cut.gz"))
        for (arguments, name) in [([String](), "<stdin>"), (["cut.gz"], "cut.gz")] {
            let result = try CLI.run(["--format", "idx"] + arguments, stdin: cut, in: dir)
            #expect(result.status == 1)
            #expect(result.stderrLines.count == 1)
            let line = try #require(result.stderrLines.first)
            #expect(line.hasPrefix("ae-filter: \(name), image ") && line.hasSuffix(": truncated gzip data"))
            #expect(line.components(separatedBy: name).count == 2, "\(line)")
        }
    }

    /// Bytes after the images an IDX header declares are reported, not silently dropped.
    @Test func dataAfterTheDeclaredIDXImagesIsReported() throws {
        let pixels = try Fixtures.bytes(Fixtures.reference("forward-check/input-u8-100x784.bin"))
        let idx: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28] + Array(pixels.prefix(3 * 784))
        let result = try CLI.run(["--format", "idx"], stdin: idx)
        #expect(result.status == 1)
        #expect(idxImages(result.stdout).count == 2)
        #expect(
            result.stderrLines == [
                "ae-filter: <stdin>, image 3: data after the 2 images the IDX header declares was ignored"
            ])
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
}
