import Foundation
import TestSupport
import Testing

/// What the filter reads: a file that is no image, or more than one, or
/// never ends, and names that are not what they seem, each cost one line
/// that names the input.
@Suite struct ReadingInputsTests {
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
}

@Suite struct PhotoSampleTests {
    let photo = Fixtures.root.appendingPathComponent("Samples/dark-shirt-photo.jpg").path

    /// A 320×240 colour JPEG of a dark shirt on a light background: fitted,
    /// padded with its own background, and inverted to light-on-dark by `auto`.
    @Test func photoIsFittedAndInverted() throws {
        let auto = try png(CLI.run(["--emit", "input", photo]).stdout).pixels
        #expect(auto.count == 784)
        #expect(auto[0] < 40 && auto[783] < 40)
        #expect(auto[14 * 28 + 14] > 180)
        let kept = try png(CLI.run(["--emit", "input", "--invert", "off", photo]).stdout).pixels
        #expect(kept[0] > 200 && kept[14 * 28 + 14] < 80)
        // Letterboxed: the top rows are background only, all one value.
        #expect(Set(auto[0..<28 * 3]).count == 1)
    }
}

/// The corrupt PngSuite files through the command line: one line each that
/// names the file, exit 1, no output, and the valid file beside them written.
@Suite struct CorruptCorpusCLITests {
    @Test func everyCorruptPNGIsNamedAndWritesNothing() throws {
        let suite = Fixtures.corpus("pngsuite")
        let corrupt = try FileManager.default.contentsOfDirectory(atPath: suite).filter {
            $0.hasPrefix("x") && $0.hasSuffix(".png")
        }.sorted()
        #expect(corrupt.count >= 10)
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(
            model + ["-o", "\(dir)/out/", "\(suite)/basn0g08.png"] + corrupt.map { "\(suite)/\($0)" })
        #expect(result.status == 1)
        #expect(result.stderrLines.count == corrupt.count)
        for (line, name) in zip(result.stderrLines, corrupt) {
            #expect(line.hasPrefix("ae-filter: \(suite)/\(name): "), "\(line)")
        }
        #expect(try filesUnder("\(dir)/out") == ["basn0g08.png"])
    }
}

/// The libpng crashers and the libjpeg-turbo images through the command line
/// under a 2 GB address-space limit and a time limit: no crash, each file
/// written or named once on standard error.
@Suite struct CrasherCorpusCLITests {
    @Test(arguments: ["png-crashers", "libjpeg-turbo"])
    func boundedTimeAndMemoryAndEveryFileAccountedFor(corpus: String) throws {
        let folder = Fixtures.corpus("\(corpus)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix("LICENSE") }
            .sorted()
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(
            executable: "/bin/bash",
            [
                "-c", "ulimit -v 2000000; exec timeout 60 \"$0\" \"$@\"", CLI.binary, "--emit", "input", "-o",
                "\(dir)/out/",
            ]
                + files.map { "\(folder)/\($0)" })
        // 0 or 1: not killed by a signal (128+), not timed out (124).
        #expect(result.status <= 1, "\(result.status): \(result.stderr)")
        let named = result.stderrLines.compactMap { line in
            files.first { line.hasPrefix("ae-filter: \(folder)/\($0): ") }
        }
        #expect(named.count == result.stderrLines.count)
        let written = try filesUnder("\(dir)/out")
        #expect(written.count + named.count == files.count, "\(written) \(named)")
    }
}
