import AEFilterCore
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct FaultTests {
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

    /// A limit on processes takes threads away: the filter runs with the
    /// workers it gets, or says in one line that it got none. Run as another
    /// user (only root can switch), whose processes the limit counts.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func aLimitOnThreadsIsWorkedWithinOrNamed() throws {
        let inputs = [shirt, Fixtures.root.appendingPathComponent("Samples/dark-shirt-photo.jpg").path]
        let free = try CLI.run(inputs)
        #expect(free.status == 0)
        func limited(_ processes: Int) throws -> CLI.Result {
            try CLI.run(
                executable: "/usr/bin/setpriv",
                ["--reuid=54321", "--regid=54321", "--clear-groups", "prlimit", "--nproc=\(processes)", CLI.binary]
                    + inputs)
        }
        // The main thread, the reader, the U-Net's helper, one worker.
        let four = try limited(4)
        #expect(four.status == 0, "\(four.stderr)")
        #expect(firstDifference(four.stdout, free.stdout) == nil)
        let two = try limited(2)
        #expect(two.status == 1)
        #expect(two.stderrLines == ["ae-filter: cannot start a thread: Resource temporarily unavailable"])
    }

    /// An -o folder that cannot be written is found before any image is
    /// computed: one line, not one per image (issue 24, L6). Run as another
    /// user, since root may write anywhere.
    @Test(
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")),
        arguments: ["out", "locked/deeper/out"])
    func anUnwritableOutputFolderIsFoundFirst(output: String) throws {
        let dir = try CLI.temporaryDirectory()
        chmod(dir, 0o755)
        try FileManager.default.createDirectory(atPath: "\(dir)/in", withIntermediateDirectories: true)
        for i in 0..<300 { try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/in/\(i).png") }
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir)/locked", withIntermediateDirectories: true)
        chmod("\(dir)/in", 0o755)
        chmod("\(dir)/out", 0o755)
        chmod("\(dir)/locked", 0o755)
        let result = try CLI.run(
            executable: "/usr/bin/setpriv",
            ["--reuid=54321", "--regid=54321", "--clear-groups", CLI.binary] + model + [
                "-o", "\(dir)/\(output)/", "\(dir)/in",
            ])
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1, "\(result.stderrLines.prefix(3))")
        #expect(result.stderr.contains("Permission denied"), "\(result.stderr)")
    }
}
