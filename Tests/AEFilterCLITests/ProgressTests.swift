import Foundation
import TestSupport
import Testing

/// Long runs show a progress line on a terminal, and only there; `-q`
/// silences it, never the errors.
@Suite struct ProgressTests {
    /// A folder of `count` images, links to one copy of the shirt.
    static func folder(_ count: Int) throws -> String {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/shirt.png")
        for i in 0..<count where link("\(dir)/shirt.png", "\(dir)/in/\(i).png") != 0 {
            throw CocoaError(.fileWriteUnknown)
        }
        return dir
    }

    /// 10,000 images and a bad one denoised into a folder on a pseudo-terminal.
    /// Runs under a second draw nothing, and a fast machine filters 10,000
    /// images in less, so a FIFO named first holds the run back 1.5 s:
    /// the folder is filtered with the line already drawn, on any machine.
    static func run(_ options: String, environment: String = "") throws -> String {
        let dir = try folder(10_000)
        // One bad file, so an error has to share the screen with the line.
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: "\(dir)/in/bad.png"))
        guard mkfifo("\(dir)/slow.png", 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
        let command =
            "(sleep 1.5; timeout 20 sh -c 'cat shirt.png > slow.png') >/dev/null 2>&1 & "
            + "\(environment) '\(CLI.binary)' --model tutorial \(options) -o out/ slow.png in"
        let result = try CLI.run(executable: "/usr/bin/script", ["-qec", command, "/dev/null"], in: dir)
        return String(decoding: result.stdout, as: UTF8.self)
    }

    @Test func aFolderRunOnATerminalShowsCountTotalRateAndTime() throws {
        let screen = try Self.run("")
        // The folder is counted beside the run: the total and the percentage.
        #expect(screen.contains("10002/10002 images  100%"), "\(screen)")
        #expect(screen.contains("images/s"))
        #expect(screen.contains("ae-filter: in/bad.png: not a PNG, JPEG or PNM image"))
        // The error is on a line of its own, never glued to the progress line.
        #expect(!screen.contains("images/sae-filter"))
    }

    @Test func quietShowsNoneButStillTheErrors() throws {
        let screen = try Self.run("-q")
        #expect(!screen.contains("images/s"), "\(screen)")
        #expect(screen.contains("ae-filter: in/bad.png: not a PNG, JPEG or PNM image"))
    }

    @Test func dumbTerminalsAndNoColorGetPlainText() throws {
        let dumb = try Self.run("", environment: "TERM=dumb NO_COLOR=1")
        #expect(dumb.contains("10002 images"), "\(dumb)")
        #expect(!dumb.contains("\u{1B}["), "no escape codes at all")
    }

    @Test func aPipeGetsNoProgress() throws {
        let dir = try Self.folder(3000)
        let result = try CLI.run(["-o", "out/", "in"], in: dir)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    }
}
