import AESystem
import Foundation
import TestSupport
import Testing

/// Files that are not what they seem: a checkpoint that is a device, a pipe,
/// empty or endless; streams with data after their end; names that are not UTF-8.
@Suite struct HostileFileTests {
    /// Never a crash, never an unbounded read: one line naming the file, exit 1.
    @Test(arguments: [
        (["info", "/dev/null"], "file too short for a safetensors header (0 bytes)"),
        (["info", "/dev/zero"], "header is not valid JSON"),
        (["--model", "/dev/null"], "file too short for a safetensors header (0 bytes)"),
        (["eval", "--model", "/dev/null"], "file too short for a safetensors header (0 bytes)"),
    ])
    func aCheckpointThatIsADeviceIsOneLine(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments, stdin: Fixtures.bytes(shirt))
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1 && result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func aShortCheckpointOnStandardInputIsOneLine() throws {
        let result = try CLI.run(["info", "-"], stdin: Array("abc".utf8))
        #expect(result.status == 1)
        #expect(result.stderrLines == ["ae-filter: -: file too short for a safetensors header (3 bytes)"])
    }

    /// A pipe is opened once and read to the end its header declares.
    @Test func aCheckpointThroughAFIFOLoads() throws {
        let dir = try CLI.temporaryDirectory()
        let script = """
            import os, subprocess, sys, threading
            os.mkfifo('m.fifo')
            def feed():
                with open('m.fifo', 'wb') as f: f.write(open(sys.argv[2], 'rb').read())
            threading.Thread(target=feed).start()
            r = subprocess.run([sys.argv[1], 'info', 'm.fifo'], capture_output=True, timeout=30)
            print(r.returncode, r.stdout.decode().splitlines()[0] if r.stdout else r.stderr.decode())
            """
        let result = try CLI.python(script, [CLI.binary, Fixtures.referenceCheckpoint], in: dir)
        #expect(CLI.lines(result) == ["0 model: m.fifo"], "\(result.stderr)")
    }

    /// A sparse file far larger than any checkpoint is refused before it is read.
    @Test func anAbsurdlyLargeCheckpointIsRefusedUnread() throws {
        let dir = try CLI.temporaryDirectory()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/big").touch())
        try handle.truncate(atOffset: 20 << 30)
        try handle.close()
        let result = try CLI.run(["info", "\(dir)/big"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("larger than the 2048 MiB this can be"), "\(result.stderr)")
    }

    /// An input that never ends, or a sparse file of 10 GB, costs one line,
    /// not the machine's memory: the device is no image from its first bytes,
    /// the file too large from its size.
    @Test func aDeviceOrAHugeFileAsAnInputIsOneLine() throws {
        let dir = try CLI.temporaryDirectory()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/big.png").touch())
        try handle.truncate(atOffset: 10 << 30)
        try handle.close()
        for (path, problem) in [
            ("/dev/zero", "not a PNG, JPEG or PNM image"), ("\(dir)/big.png", "larger than the 256 MiB this can be"),
        ] {
            let result = try CLI.run(model + [path])
            #expect(result.status == 1)
            #expect(result.stderrLines == ["ae-filter: \(path): \(problem)"])
        }
    }

    /// A FIFO whose first bytes start no image is refused then, though its
    /// writer never closes it: reading on would wait forever.
    @Test func aFIFOThatIsNoImageIsRefusedAtItsHead() throws {
        let dir = try CLI.temporaryDirectory()
        let script = """
            import os, subprocess, sys, threading, time
            os.mkfifo('in.png')
            def feed():
                with open('in.png', 'wb') as f:
                    f.write(b'not an image, and more to come')
                    f.flush()
                    time.sleep(60)
            threading.Thread(target=feed, daemon=True).start()
            r = subprocess.run([sys.argv[1], '--model', 'tutorial', 'in.png'], capture_output=True, timeout=30)
            print(r.returncode, r.stderr.decode().strip())
            """
        let result = try CLI.python(script, [CLI.binary], in: dir)
        #expect(CLI.lines(result) == ["1 ae-filter: in.png: not a PNG, JPEG or PNM image"], "\(result.stderr)")
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

    /// A .png file that holds two images: the second would be lost, so the file fails with one line.
    @Test func aFileThatHoldsTwoImagesSaysSo() throws {
        let dir = try CLI.temporaryDirectory()
        try Data(Fixtures.bytes(shirt) + Fixtures.bytes(shirt)).write(to: URL(fileURLWithPath: "\(dir)/two.png"))
        let result = try CLI.run(["\(dir)/two.png"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("holds another PNG image after the first"))
        // On standard input both come out.
        #expect(try splitPNGs(CLI.run([], stdin: Fixtures.bytes("\(dir)/two.png")).stdout).count == 2)
    }

    /// Names are bytes: a folder, a file and a --files-from entry that are not
    /// UTF-8 are read, mirrored and named in messages with escapes.
    @Test func namesThatAreNotUTF8AreReadAndEscaped() throws {
        let dir = try CLI.temporaryDirectory()
        let script = """
            import os, shutil, subprocess, sys
            os.makedirs(b'in/caf\\xe9', exist_ok=True)
            shutil.copy(sys.argv[2], b'in/caf\\xe9/\\xff.png')
            open(b'in/caf\\xe9/bad\\x1b[31m.png', 'wb').write(b'not an image')
            r = subprocess.run([sys.argv[1], '--summary', '-o', 'out/', 'in'], capture_output=True)
            print(r.returncode, sorted(os.listdir(b'out/caf\\xe9')))
            print(r.stderr.decode('utf-8', 'replace'), end='')
            open('list', 'wb').write(b'in/caf\\xe9/\\xff.png\\n')
            r = subprocess.run([sys.argv[1], '--format', 'pgm', '--files-from', 'list'], capture_output=True)
            print(r.returncode, len(r.stdout))
            r = subprocess.run([sys.argv[1], b'gone\\xff\\xc2\\x9b.png'], capture_output=True)
            print(r.returncode, r.stderr.decode('utf-8', 'replace'), end='')
            """
        let result = try CLI.python(script, [CLI.binary, shirt], in: dir)
        #expect(
            CLI.lines(result) == [
                "1 [b'\\xff.png']",
                "ae-filter: in/caf\\xe9/bad\\x1b[31m.png: not a PNG, JPEG or PNM image",
                "ae-filter: summary: 1 processed, 1 failed, 0 skipped",
                "0 797",
                // An argument that is not UTF-8, with a C1 control: the byte and the character told apart.
                "1 ae-filter: gone\\xff\\u{9b}.png: No such file or directory",
            ], "\(result.stderr)")
    }

    /// Links that lead nowhere, named like images, are reported rather than skipped in silence.
    @Test func danglingAndLoopingLinksAreReported() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/in/a.png")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/in/gone.png", withDestinationPath: "nowhere.png")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/in/loop.png", withDestinationPath: "loop.png")
        let result = try CLI.run(["--summary", "-o", "out/", "in"], in: dir)
        #expect(result.status == 1)
        #expect(
            result.stderrLines == [
                "ae-filter: in/gone.png: a dangling symbolic link",
                "ae-filter: in/loop.png: a symbolic link that loops",
                "ae-filter: summary: 1 processed, 2 failed, 0 skipped",
            ])
    }

    /// A FIFO or a link to a device named like an image, in a walked folder:
    /// reported, never read (it could wait or run forever).
    @Test func specialFilesInAFolderAreReportedNotRead() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/in/a.png")
        #expect(mkfifo("\(dir)/in/b.png", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/in/c.png", withDestinationPath: "/dev/zero")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/in/notes", withDestinationPath: "/dev/zero")
        let result = try CLI.run(model + ["--summary", "-o", "out/", "in"], in: dir)
        #expect(result.status == 1)
        #expect(
            result.stderrLines == [
                "ae-filter: in/b.png: not a regular file; skipped",
                "ae-filter: in/c.png: not a regular file; skipped",
                "ae-filter: summary: 1 processed, 2 failed, 0 skipped",
            ])
    }
}

extension HostileFileTests {
    /// A FIFO or device in a --files-from list is treated as in a walked
    /// folder: reported, never read, so `find ... | ae-filter --files-from -`
    /// over a tree that holds one finishes (issue 24, M8). A FIFO named as an
    /// argument is still read.
    @Test(arguments: [false, true])
    func specialFilesInAListAreReportedNotRead(nul: Bool) throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/a.png")
        #expect(mkfifo("\(dir)/ff.png", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/zero.png", withDestinationPath: "/dev/zero")
        let separator = nul ? "\0" : "\n"
        let list = ["a.png", "ff.png", "zero.png"].map { $0 + separator }.joined()
        let start = Date()
        let result = try CLI.run(
            model + ["--summary", "--files-from", "-", "-o", "out/"] + (nul ? ["-0"] : []), stdin: Array(list.utf8),
            in: dir)
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(result.status == 1)
        #expect(
            result.stderrLines == [
                "ae-filter: ff.png: not a regular file; skipped",
                "ae-filter: zero.png: not a regular file; skipped",
                "ae-filter: summary: 1 processed, 2 failed, 0 skipped",
            ], "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(dir)/out/a.png"))
    }
}

extension HostileFileTests {
    /// Writes a PNG declaring `width × height` grey pixels (`rows` of its
    /// rows really there, all one value), runs the filter on it, and prints
    /// the filter's peak memory in KB after its own lines.
    static let bigPNG = """
        import resource, struct, subprocess, sys, zlib
        path, width, height, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
        z = zlib.compressobj(9)
        line = b'\\0' + b'\\x80' * width
        data = b''.join(z.compress(line) for _ in range(rows)) + z.flush()
        with open(path, 'wb') as f:
            f.write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0))
                    + chunk(b'IDAT', data) + chunk(b'IEND', b''))
        r = subprocess.run(sys.argv[5:] + [path], capture_output=True)
        sys.stdout.buffer.write(r.stdout)
        sys.stderr.write(r.stderr.decode())
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
        sys.exit(r.returncode)
        """

    /// Memory follows what an image holds, not what it declares (issue 24,
    /// L7): a 68-byte PNG that declares 1×64,000,000 pixels is refused before
    /// any buffer of that size (it took 516 MB), and a 64-megapixel grey PNG
    /// costs its pixels once, not several copies of them (it took 391 MB).
    @Test(arguments: [(1, 64_000_000, 10, 60_000, false), (8000, 8000, 8000, 120_000, true)])
    func memoryFollowsTheImageNotItsClaims(width: Int, height: Int, rows: Int, limitKB: Int, whole: Bool) throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.python(
            Self.bigPNG, ["\(dir)/big.png", "\(width)", "\(height)", "\(rows)", CLI.binary, "--format", "pgm"])
        let peakKB = Int(result.stderrLines.last ?? "") ?? .max
        #expect(peakKB < limitKB, "peak \(peakKB) KB")
        if whole {
            #expect(result.status == 0 && result.stdout.count == 13 + 784, "\(result.stderr)")
        } else {
            #expect(result.status == 1)
            #expect(
                result.stderrLines.first?.contains("far too short for its declared size") == true, "\(result.stderr)")
        }
    }
}

extension HostileFileTests {
    /// A PNM header on standard input that declares 9000×9000 over 100 KB of
    /// data costs about the data, not the declared 243 MB (second probe of issue 24).
    @Test func aStreamedHeaderDoesNotAllocateWhatItDeclares() throws {
        let script = """
            import resource, subprocess, sys
            data = b'P6 9000 9000 255\\n' + bytes(100000)
            r = subprocess.run(sys.argv[1:], input=data, capture_output=True)
            sys.stderr.write(r.stderr.decode())
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
            sys.exit(r.returncode)
            """
        let result = try CLI.python(script, [CLI.binary] + model + ["--format", "pgm", "-"])
        let peakKB = Int(result.stderrLines.last ?? "") ?? .max
        #expect(result.status == 1)
        #expect(result.stderrLines.first?.contains("truncated PNM data: the input ends before the image does") == true)
        #expect(peakKB < 80_000, "peak \(peakKB) KB")
    }

    /// A JPEG cut short that still ends with EOI is refused, named, not
    /// decoded half grey (second probe of issue 24): as a file and in a stream.
    @Test func aCutJPEGEndingWithEOIIsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let whole = try Fixtures.bytes(Fixtures.corpus("libjpeg-turbo/testorig.jpg"))
        let cut = Array(whole.prefix(1500)) + [0xFF, 0xD9]
        try Data(cut).write(to: URL(fileURLWithPath: "\(dir)/cut.jpg"))
        let file = try CLI.run(model + ["--format", "pgm", "\(dir)/cut.jpg"])
        #expect(file.status == 1 && file.stdout.isEmpty)
        #expect(
            file.stderrLines == [
                "ae-filter: \(dir)/cut.jpg: invalid JPEG: truncated JPEG data (its image data ends early, at a marker)"
            ])
        let stream = try CLI.run(model + ["--format", "pgm", "-"], stdin: cut + whole)
        #expect(stream.status == 1)
        #expect(stream.stdout.count == 13 + 784, "the whole JPEG after it is still denoised")
        #expect(
            stream.stderrLines.first?.contains("image 1: invalid JPEG: truncated JPEG data") == true, "\(stream.stderr)"
        )
    }
}

extension URL {
    /// The file, created empty if it does not exist.
    func touch() throws -> URL {
        if !FileManager.default.fileExists(atPath: path) { try Data().write(to: self) }
        return self
    }
}
