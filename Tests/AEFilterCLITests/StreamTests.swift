import AEFilterCore
import AEImageIO
import AESystem
import Foundation
import TestSupport
import Testing

/// The IDX3 images after the 16-byte header, 784 bytes each.
func idxImages(_ bytes: [UInt8]) -> [[UInt8]] {
    stride(from: 16, to: bytes.count, by: 784).map { Array(bytes[$0..<min($0 + 784, bytes.count)]) }
}

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

    @Test func memoryStaysBoundedOnALongStream() throws {
        // 200,000 images through a pipe; the peak RSS is the child's, from the kernel.
        let count = 200_000
        let script = """
            import resource, subprocess, sys, threading
            png = open(sys.argv[1], 'rb').read()
            p = subprocess.Popen(sys.argv[3:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            def feed():
                chunk = png * 1000
                for _ in range(int(sys.argv[2]) // 1000): p.stdin.write(chunk)
                p.stdin.close()
            threading.Thread(target=feed).start()
            size = 0
            while True:
                block = p.stdout.read(1 << 20)
                if not block: break
                size += len(block)
            err = p.stderr.read().decode()
            p.wait()
            print(p.returncode, size, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, err.strip())
            """
        let result = try CLI.run(
            executable: "/usr/bin/env",
            [
                "python3", "-c", script, shirt, String(count), CLI.binary, "--model", Fixtures.referenceCheckpoint,
                "--noise", "0.5", "--format", "idx", "--summary",
            ])
        let fields = String(decoding: result.stdout, as: UTF8.self).split(separator: " ", maxSplits: 3)
        #expect(fields.count == 4, "\(result.stderr)")
        guard fields.count == 4 else { return }
        #expect(fields[0] == "0")
        #expect(Int(fields[1]) == 16 + count * 784)
        #expect(fields[3].contains("summary: \(count) processed, 0 failed"))
        let peakKB = Int(fields[2]) ?? .max
        #expect(peakKB < 100_000, "peak RSS \(peakKB) KB")
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
    /// Writes COUNT copies of a random 1000×1000 grey PNG (1 MB) to the
    /// filter's standard input, and prints its peak memory in KB after its lines.
    static let bigStream = """
        import os, resource, struct, subprocess, sys, zlib
        count = int(sys.argv[1])
        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
        rows = b''.join(b'\\0' + os.urandom(1000) for _ in range(1000))
        png = (b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1000, 1000, 8, 0, 0, 0, 0))
               + chunk(b'IDAT', zlib.compress(rows, 1)) + chunk(b'IEND', b''))
        p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        import threading
        def feed():
            for _ in range(count):
                p.stdin.write(png)
            p.stdin.close()
        threading.Thread(target=feed).start()
        out = p.stdout.read()
        err = p.stderr.read()
        p.wait()
        sys.stdout.write(f'{len(out)}\\n')
        sys.stderr.write(err.decode())
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
        sys.exit(p.returncode)
        """

    /// Read-ahead is bounded by bytes, not by image count, and a batch's
    /// images are let go once taken: 300 one-megabyte images through standard
    /// input took 568 MB (second probe of issue 24); memory no longer grows
    /// with the count.
    @Test(arguments: [["-j", "1", "--batch-size", "4"], []])
    func aStreamOfLargeImagesKeepsMemoryFlat(options: [String]) throws {
        var peaks: [Int] = []
        for count in [40, 300] {
            let result = try CLI.python(
                Self.bigStream, ["\(count)", CLI.binary, "--model", "tutorial", "--format", "pgm"] + options + ["-"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(CLI.lines(result).first == "\(count * (13 + 784))")
            peaks.append(Int(result.stderrLines.last ?? "") ?? .max)
        }
        #expect(peaks[1] < 200_000 && peaks[1] < peaks[0] + 40_000, "peaks \(peaks) KB")
    }
}
