import AEFilterCore
import Foundation
import TestSupport
import Testing

/// The README's promise "outputs and checkpoints appear whole or not at
/// all": an interrupted run, a kill or a full disk leaves whole files.
@Suite(.serialized) struct OutputsAppearWholeTests {
    /// SIGINT during a folder run: the images in flight are finished, the
    /// counts are printed, the exit status is 130, and every output is whole.
    @Test func interruptingAFolderRunFinishesWhatIsInFlight() throws {
        let dir = try CLI.temporaryDirectory()
        #expect(try CLI.run(["data", "export"] + data + ["--limit", "5000", "--out", "\(dir)/in"]).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["--noise", "0.5", "--summary", "-j", "1", "-o", "\(dir)/out/", "\(dir)/in"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while ((try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/out"))?.count ?? 0) == 0
            && Date() < deadline
        {
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 130, "\(stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/out")
        #expect(written.count > 0 && written.count < 5000)
        #expect(stderr == "ae-filter: summary: \(written.count) processed, 0 failed, 0 skipped\n")
        for name in written { #expect(try png(Fixtures.bytes("\(dir)/out/\(name)")).width == 28) }
    }

    /// `kill -9` during training leaves the last checkpoint whole. Full-size
    /// checkpoints with optimizer state (22 MB) are written every 5 steps, so
    /// the kills often land during a write.
    @Test func killNineLeavesTheLastCheckpointLoadable() throws {
        let dir = try CLI.temporaryDirectory()
        let resume = "\(dir)/m.resume.safetensors"
        var iterations: [Int] = []
        for round in 0..<3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments =
                round == 0
                ? ["train"] + data + [
                    "--iterations", "100000", "--checkpoint-every", "5", "-o", "\(dir)/m.safetensors",
                ]
                : ["train", "--resume", resume, "-o", "\(dir)/m.safetensors"] + data
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while round == 0 && !FileManager.default.fileExists(atPath: resume) && Date() < deadline { usleep(10_000) }
            usleep(UInt32.random(in: 300_000...900_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            // What is there is a whole checkpoint that ae-filter resumes from.
            let checkpoint = try Checkpoint(contentsOf: resume, architectures: Fixtures.architectures)
            iterations.append(Int(checkpoint.metadata["train.iteration"] ?? "") ?? 0)
            let info = try CLI.run(["info", resume])
            #expect(
                info.status == 0
                    && String(decoding: info.stdout, as: UTF8.self).contains("optimizer state: 8 tensors (resumable)"))
        }
        #expect(iterations.first ?? 0 >= 5 && iterations == iterations.sorted())
        // Nothing else: checkpoints are written as unnamed files, so a kill leaves no temporary one.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["m.resume.safetensors"])
    }

    /// A file size limit stands in for a full disk: the checkpoint write fails
    /// with a clear message and the previous checkpoint stays as it was.
    @Test func aFullDiskKeepsThePreviousCheckpoint() throws {
        let dir = try CLI.temporaryDirectory()
        let model = "\(dir)/m.safetensors"
        try Data(Fixtures.bytes(Fixtures.referenceCheckpoint)).write(to: URL(fileURLWithPath: model))
        let before = try Fixtures.bytes(model)
        // SIGXFSZ keeps its default (killing): ae-filter ignores it itself and reports the failed write.
        let command = "ulimit -f 512; exec \"$0\" \"$@\""
        let result = try CLI.run(
            executable: "/bin/bash",
            ["-c", command, CLI.binary, "train"] + data + ["--iterations", "5", "--hidden", "1176", "-o", model])
        #expect(result.status == 1)
        #expect(result.stderrLines.last?.hasPrefix("ae-filter: \(model): File too large") == true, "\(result.stderr)")
        #expect(try firstDifference(Fixtures.bytes(model), before) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["m.safetensors"])
    }
}
