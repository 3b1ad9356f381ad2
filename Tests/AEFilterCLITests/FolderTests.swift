import AEFilterCore
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct FolderTests {
    /// photos/ with odd names, a nested folder, a hidden one, and a non-image.
    func makeTree() throws -> String {
        let dir = try CLI.temporaryDirectory()
        let photos = "\(dir)/photos"
        for sub in ["sub dir/ünï", ".hidden"] {
            try FileManager.default.createDirectory(atPath: "\(photos)/\(sub)", withIntermediateDirectories: true)
        }
        let shirtBytes = Data(try Fixtures.bytes(shirt))
        for name in ["a b.png", "sub dir/ünï/x.jpg.png", "new\nline.png", ".hidden/h.png"] {
            try shirtBytes.write(to: URL(fileURLWithPath: "\(photos)/\(name)"))
        }
        try FileManager.default.copyItem(atPath: Fixtures.fixture("gray.jpg"), toPath: "\(photos)/sub dir/G.JPG")
        try Data("notes".utf8).write(to: URL(fileURLWithPath: "\(photos)/readme.txt"))
        return dir
    }

    @Test func foldersAreMirroredAndSkipExistingResumes() throws {
        let dir = try makeTree()
        let first = try CLI.run(model + ["-o", "\(dir)/out", "--summary", "\(dir)/photos"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try filesUnder("\(dir)/out") == ["a b.png", "new\nline.png", "sub dir/G.png", "sub dir/ünï/x.jpg.png"])
        #expect(first.stderrLines == ["ae-filter: summary: 4 processed, 0 failed, 0 skipped"])

        // An interrupted run: one output missing, one left as a temporary file.
        try FileManager.default.removeItem(atPath: "\(dir)/out/sub dir/G.png")
        let kept = try FileManager.default.attributesOfItem(atPath: "\(dir)/out/a b.png")[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.02)
        let resumed = try CLI.run(model + ["-o", "\(dir)/out", "--summary", "--skip-existing", "\(dir)/photos"])
        #expect(resumed.stderrLines == ["ae-filter: summary: 1 processed, 0 failed, 3 skipped"])
        #expect(try filesUnder("\(dir)/out").count == 4)
        #expect(
            try FileManager.default.attributesOfItem(atPath: "\(dir)/out/a b.png")[.modificationDate] as? Date == kept)
    }

    @Test func filesFromWithNulSeparatorsKeepsRelativePaths() throws {
        let dir = try makeTree()
        let list = ["photos/new\nline.png", "./photos/a b.png", "photos/missing.png", "photos/sub dir"]
        let result = try CLI.run(
            model + ["--files-from", "-", "-0", "-o", "out/", "--summary"],
            stdin: Array(list.joined(separator: "\0").utf8), in: dir)
        #expect(result.status == 1)
        #expect(
            result.stderrLines == [
                "ae-filter: photos/missing.png: No such file or directory",
                "ae-filter: summary: 4 processed, 1 failed, 0 skipped",
            ])
        #expect(
            try filesUnder("\(dir)/out") == [
                "photos/a b.png", "photos/new\nline.png", "photos/sub dir/G.png", "photos/sub dir/ünï/x.jpg.png",
            ])
        // In order, to standard output, from a newline-separated list.
        let ordered = try CLI.run(model + ["--emit", "input", "--files-from", "\(dir)/list"], stdin: [], in: dir)
        #expect(ordered.status == 1)  // no list file
        try Data("photos/sub dir/G.JPG\nphotos/a b.png\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/list"))
        let images = try splitPNGs(CLI.run(model + ["--emit", "input", "--files-from", "list"], in: dir).stdout).map {
            try png($0).pixels
        }
        #expect(images.count == 2)
        #expect(try images[1] == png(Fixtures.bytes(shirt)).pixels && images[0] != images[1])
    }

    /// `--skip-existing` skips only real outputs: an empty file, a dangling
    /// link or a folder in an output's place is not a finished output.
    @Test func skipExistingSkipsOnlyFinishedOutputs() throws {
        let dir = try makeTree()
        try FileManager.default.createDirectory(atPath: "\(dir)/out/sub dir", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: "\(dir)/out/a b.png"))
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/out/new\nline.png", withDestinationPath: "gone")
        try FileManager.default.createDirectory(atPath: "\(dir)/out/sub dir/G.png", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir)/out/sub dir/ünï", withIntermediateDirectories: true)
        try Fixtures.bytes(shirt).withUnsafeBytes {
            try Data($0).write(to: URL(fileURLWithPath: "\(dir)/out/sub dir/ünï/x.jpg.png"))
        }
        let result = try CLI.run(model + ["-o", "\(dir)/out", "--summary", "--skip-existing", "\(dir)/photos"])
        #expect(result.stderrLines.last == "ae-filter: summary: 2 processed, 1 failed, 1 skipped", "\(result.stderr)")
        #expect(try png(Fixtures.bytes("\(dir)/out/a b.png")).width == 28)
        #expect(try png(Fixtures.bytes("\(dir)/out/new\nline.png")).width == 28)
    }

    /// `--on-error stop` into a folder writes nothing for the inputs after the
    /// first bad one, whatever the batches and workers.
    @Test(arguments: [["-j", "1"], ["-j", "2", "--batch-size", "64"]])
    func stopWritesNothingAfterTheFirstBadInput(options: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/many", withIntermediateDirectories: true)
        for i in 0..<200 { try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/many/\(i).png") }
        try Data("junk".utf8).write(to: URL(fileURLWithPath: "\(dir)/junk.png"))
        let result = try CLI.run(
            model + options + ["--on-error", "stop", "-o", "out/", shirt, "junk.png", "many"], in: dir)
        #expect(result.status == 1)
        #expect(try filesUnder("\(dir)/out") == ["shirt.png"])
    }

    /// A listed path that climbs out with `..` has no place under -o DIR (it
    /// is never flattened onto another name), and `-` in a list is no stream.
    @Test func listedPathsWithDotDotOrADashAreRefused() throws {
        let dir = try makeTree()
        try FileManager.default.createDirectory(atPath: "\(dir)/work", withIntermediateDirectories: true)
        let result = try CLI.run(
            model + ["--files-from", "-", "-o", "out/", "--summary"],
            stdin: Array("../photos/a b.png\n-\n../photos/sub dir/G.JPG\n".utf8), in: "\(dir)/work")
        #expect(result.status == 1)
        #expect(
            result.stderrLines == [
                "ae-filter: ../photos/a b.png: cannot mirror a path with '..' under out",
                "ae-filter: -: a list entry '-' is not standard input; write ./- for a file named -",
                "ae-filter: ../photos/sub dir/G.JPG: cannot mirror a path with '..' under out",
                "ae-filter: summary: 0 processed, 3 failed, 0 skipped",
            ])
        #expect(try filesUnder("\(dir)/work").isEmpty)
    }

    @Test func anOutputFolderInsideTheInputIsNotWalkedAndInputsAreNeverWritten() throws {
        let dir = try makeTree()
        let photos = "\(dir)/photos"
        let before = try Fixtures.bytes("\(photos)/a b.png")
        for _ in 0..<2 {
            let run = try CLI.run(model + ["-o", "\(photos)/out/", "--summary", photos])
            #expect(run.stderrLines == ["ae-filter: summary: 4 processed, 0 failed, 0 skipped"])
        }
        #expect(try filesUnder("\(photos)/out").count == 4)
        // -o onto the input folder itself: every output would replace its input.
        try FileManager.default.removeItem(atPath: "\(photos)/out")
        let onto = try CLI.run(model + ["-o", "\(photos)/", "--fit", "stretch", "\(photos)/a b.png"])
        #expect(onto.status == 1)
        #expect(onto.stderr.contains("refusing to overwrite the input"))
        #expect(try firstDifference(Fixtures.bytes("\(photos)/a b.png"), before) == nil)
    }

    @Test func clashingOutputsAreReportedNotOverwritten() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/a.png")
        try FileManager.default.copyItem(atPath: Fixtures.fixture("gray.jpg"), toPath: "\(dir)/a.jpg")
        let result = try CLI.run(model + ["-o", "\(dir)/out/", "--emit", "input", "\(dir)/a.jpg", "\(dir)/a.png"])
        #expect(result.status == 1)
        #expect(
            result.stderrLines == [
                "ae-filter: \(dir)/a.png: its output \(dir)/out/a.png is also the output of \(dir)/a.jpg"
            ])
        #expect(try filesUnder("\(dir)/out") == ["a.png"])
    }
}

/// Links and special files in a walked folder or a --files-from list.
extension FolderTests {
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
