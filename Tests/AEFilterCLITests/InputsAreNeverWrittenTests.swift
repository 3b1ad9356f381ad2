import AESystem
import Foundation
import TestSupport
import Testing

/// The README's promise "inputs are never written": an output that is an
/// input, by whatever path, is refused, and the input keeps its bytes.
@Suite struct InputsAreNeverWrittenTests {
    /// `-o FILE` naming an input: by the same path, another spelling, a
    /// symbolic link, or with another format.
    @Test(arguments: [
        (["-o", "v.png", "v.png"], "v.png"), (["-o", "./v.png", "v.png"], "v.png"),
        (["-o", "link.png", "v.png"], "v.png"), (["--format", "pgm", "-o", "v.png", "v.png"], "v.png"),
        (["--format", "pgm", "-o", "v.png", "--files-from", "list"], "v.png"),
    ])
    func anOutputThatIsAnInputIsRefused(arguments: [String], input: String) throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/v.png")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/link.png", withDestinationPath: "\(dir)/v.png")
        try Data("v.png\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/list"))
        let before = try Fixtures.bytes("\(dir)/v.png")
        let result = try CLI.run(arguments, in: dir)
        #expect(result.status == 1)
        #expect(result.stderrLines == ["ae-filter: \(input): is also the output; refusing to overwrite an input"])
        #expect(try firstDifference(Fixtures.bytes("\(dir)/v.png"), before) == nil)
    }

    @Test func standardInputThatIsTheOutputIsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/v.png")
        let result = try CLI.python(
            "import subprocess, sys; print(subprocess.run(sys.argv[1:], stdin=open('v.png', 'rb')).returncode)",
            [CLI.binary, "-o", "v.png"], in: dir)
        #expect(CLI.lines(result) == ["1"], "\(result.stderr)")
        #expect(result.stderr.contains("standard input is also the output"))
        #expect(try firstDifference(Fixtures.bytes("\(dir)/v.png"), Fixtures.bytes(shirt)) == nil)
    }

    /// Standard output opened onto an input (`1<>v.png`), named or as standard
    /// input: refused before the first byte, even an IDX header.
    @Test(arguments: [["v.png"], ["-"], []])
    func standardOutputThatIsAnInputIsRefusedBeforeAnyByte(inputs: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/v.png")
        let script = """
            import subprocess, sys
            r = subprocess.run(sys.argv[1:], stdin=open('v.png', 'rb'), stdout=open('v.png', 'r+b'))
            print(r.returncode)
            """
        let result = try CLI.python(script, [CLI.binary, "--format", "idx"] + inputs, in: dir)
        #expect(CLI.lines(result) == ["1"], "\(result.stderr)")
        #expect(result.stderr.contains("standard output is one of the inputs"))
        #expect(try firstDifference(Fixtures.bytes("\(dir)/v.png"), Fixtures.bytes(shirt)) == nil)
    }

    /// `-o DIR/` with a named input inside DIR that another input's output would replace.
    @Test func aFolderOutputNeverReplacesANamedInput() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/v.png")
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/out/v.png")
        let before = try Fixtures.bytes("\(dir)/out/v.png")
        let result = try CLI.run(["-o", "out/", "v.png", "out/v.png"], in: dir)
        #expect(result.status == 1)
        #expect(try firstDifference(Fixtures.bytes("\(dir)/out/v.png"), before) == nil)
    }

    /// `-o in/ in` would write among the inputs and read none of them.
    @Test func anOutputFolderThatIsAnInputFolderIsAUsageError() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/in/a.png")
        let result = try CLI.run(["-o", "in/", "in"], in: dir)
        #expect(result.status == 64)
        #expect(result.stderrLines.first?.contains("is also an input folder") == true)
        #expect(try filesUnder("\(dir)/in") == ["a.png"])
    }
}

/// Outputs never leave `-o DIR`: a folder inside it that is a symbolic link
/// to elsewhere is not followed, and a link where an output goes is replaced.
@Suite struct OutputsStayInTheirFolderTests {
    @Test func aLinkedFolderInsideTheOutputIsNotFollowed() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/in/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir)/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/in/sub/a.png")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/out/sub", withDestinationPath: "\(dir)/elsewhere")
        let result = try CLI.run(["-o", "out/", "in"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderrLines.first?.contains("sub is not a folder") == true, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/elsewhere").isEmpty)
    }

    @Test func aLinkWhereAnOutputGoesIsReplacedNotWrittenThrough() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "\(dir)/victim"))
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/out/shirt.png", withDestinationPath: "\(dir)/victim")
        let result = try CLI.run(["-o", "out/", shirt], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Fixtures.bytes("\(dir)/victim") == [1, 2, 3])
        #expect(try png(Fixtures.bytes("\(dir)/out/shirt.png")).width == 28)
    }

    /// `data export` keeps to its folder too: a link where a file goes is
    /// replaced; `--out` naming a file is one line.
    @Test(.needsData) func dataExportReplacesALinkNotWritesThroughIt() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "\(dir)/victim"))
        try FileManager.default.createSymbolicLink(
            atPath: "\(dir)/out/00000-ankle-boot.png", withDestinationPath: "\(dir)/victim")
        let result = try CLI.run(["data", "export"] + data + ["--limit", "1", "--out", "\(dir)/out"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Fixtures.bytes("\(dir)/victim") == [1, 2, 3])
        #expect(try png(Fixtures.bytes("\(dir)/out/00000-ankle-boot.png")).width == 28)
        let file = try CLI.run(["data", "export"] + data + ["--limit", "1", "--out", "\(dir)/victim"])
        #expect(file.status == 1)
        #expect(file.stderrLines == ["ae-filter: \(dir)/victim: is not a folder"])
    }

    /// `-o LINK` writes where the link leads, as `>` would, and leaves the
    /// link a link: `-o /dev/stdout` onto a file, a link to a file, and a
    /// link to nothing (refused in one line).
    @Test func aNamedLinkIsWrittenThroughNeverReplaced() throws {
        let dir = try CLI.temporaryDirectory()
        let script = """
            import os, subprocess, sys
            os.symlink('/proc/self/fd/1', 'so')
            open('real.png', 'wb').write(b'old')
            os.symlink('real.png', 'link.png')
            os.symlink('nowhere.png', 'dangling.png')
            r = subprocess.run([sys.argv[1], '-o', 'so', sys.argv[2]], stdout=open('x.png', 'wb'), stderr=subprocess.PIPE)
            print(r.returncode, os.path.islink('so'), open('x.png', 'rb').read(4) == b'\\x89PNG')
            r = subprocess.run([sys.argv[1], '-o', 'link.png', sys.argv[2]], capture_output=True)
            print(r.returncode, os.path.islink('link.png'), open('real.png', 'rb').read(4) == b'\\x89PNG')
            r = subprocess.run([sys.argv[1], '-o', 'dangling.png', sys.argv[2]], capture_output=True)
            print(r.returncode, os.path.islink('dangling.png'), os.path.exists('nowhere.png'))
            print(r.stderr.decode(), end='')
            """
        let result = try CLI.python(script, [CLI.binary, shirt], in: dir)
        #expect(
            CLI.lines(result) == [
                "0 True True", "0 True True", "1 True False",
                "ae-filter: dangling.png: a symbolic link that leads nowhere; name the file itself",
            ], "\(result.stderr)")
    }
}
