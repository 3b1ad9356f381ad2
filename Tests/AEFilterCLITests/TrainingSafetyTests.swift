import Foundation
import TestSupport
import Testing

/// `train` loses no work: its outputs are checked before the first step, and
/// an interrupted run's state is never replaced by accident.
@Suite(.needsData) struct TrainingSafetyTests {
    @Test(arguments: ["/nonexistent/m.safetensors", "/"])
    func anUnwritableOutputFailsBeforeTraining(output: String) throws {
        let start = Date()
        let result = try CLI.run(["train"] + data + ["--iterations", "600", "-o", output])
        #expect(result.status == 1)
        #expect(result.stderr.contains("checked before training"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    /// A log that cannot be written is reported; the model is still written, and the status is 1.
    @Test func aLogThatCannotBeWrittenIsAnError() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(
            ["train"] + data + [
                "--iterations", "2", "--eval-every", "1", "--hidden", "8", "-q", "--log", "/dev/full", "-o",
                "\(dir)/m.safetensors",
            ])
        #expect(result.status == 1)
        #expect(
            result.stderrLines == [
                "ae-filter: /dev/full: cannot write the log: No space left on device; training goes on"
            ])
        #expect(FileManager.default.fileExists(atPath: "\(dir)/m.safetensors"))
    }

    @Test func anInterruptedRunsStateIsNotReplacedWithoutForce() throws {
        let dir = try CLI.temporaryDirectory()
        try Data("state".utf8).write(to: URL(fileURLWithPath: "\(dir)/m.resume.safetensors"))
        let refused = try CLI.run(["train"] + data + ["--iterations", "2", "-o", "\(dir)/m.safetensors"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--resume") && refused.stderr.contains("--force"))
        #expect(try Fixtures.bytes("\(dir)/m.resume.safetensors") == Array("state".utf8))
        let forced = try CLI.run(
            ["train"] + data + ["--iterations", "2", "--eval-every", "2", "--force", "-o", "\(dir)/m.safetensors"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(dir)/m.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.resume.safetensors"))
    }
}

/// No output of `train` is another of its outputs or one of its inputs: a
/// usage error before anything is read (no data needed).
@Suite struct TrainingFilesAreDistinctTests {
    @Test(arguments: [
        (["-o", "m.safetensors", "--plot", "m.safetensors"], "-o and --plot are the same file"),
        (["-o", "x", "--log", "./x"], "-o and --log are the same file"),
        (["--plot", "p.svg", "--log", "link.svg"], "--plot and --log are the same file"),
        (["-o", "m.resume.safetensors", "--log", "m.resume.resume.safetensors"], "the resumable checkpoint and --log"),
        (["-o", "data/train-images-idx3-ubyte.gz"], "is the data file"),
        (["-o", "m.safetensors", "--log", "data/t10k-labels-idx1-ubyte"], "is the data file"),
        (["-o", ""], "-o needs a file name"),
        (["--plot", ""], "--plot needs a file name"),
        (["--architecture", "unet", "--kernel-size", "4"], "--kernel-size must be odd"),
    ])
    func clashingFilesAreAUsageError(arguments: [String], message: String) throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/data", withIntermediateDirectories: true)
        try Data("p".utf8).write(to: URL(fileURLWithPath: "\(dir)/p.svg"))
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/link.svg", withDestinationPath: "p.svg")
        try Data("d".utf8).write(to: URL(fileURLWithPath: "\(dir)/data/train-images-idx3-ubyte.gz"))
        let result = try CLI.run(["train", "--data", "data"] + arguments, in: dir)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try Fixtures.bytes("\(dir)/data/train-images-idx3-ubyte.gz") == Array("d".utf8))
    }
}
