import AEFilterCore
import Foundation
import TestSupport
import Testing

@Suite(.serialized, .needsData) struct TrainCommandTests {
    @Test func shortRunWritesALoadableCheckpointWithItsProvenance() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(
            ["train"] + data + [
                "--iterations", "60", "--eval-every", "30", "--hidden", "128", "-o", "\(dir)/m.safetensors", "--log",
                "\(dir)/log.jsonl", "--plot", "\(dir)/curve.svg",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderrLines.filter { $0.hasPrefix("iteration ") }.count == 2)
        let checkpoint = try Checkpoint(contentsOf: "\(dir)/m.safetensors", architectures: Fixtures.architectures)
        #expect(checkpoint.model.hyperparameters["hidden_size"] == "128")
        #expect(checkpoint.extraTensors.isEmpty)
        #expect(checkpoint.metadata["train.iterations"] == "60")
        #expect(checkpoint.metadata["noise_model"] == "dropout")
        #expect(checkpoint.metadata["data.official"] == "true")
        #expect(checkpoint.metadata["data.md5.train-images-idx3-ubyte.gz"] == "8d4fb7e6c68d591d4c3dfef9ec88bf0d")
        #expect(checkpoint.metadata["ae_filter.version"] != nil)
        // The command without this machine's data folder, which the MD5s stand for.
        let command = checkpoint.metadata["train.command"] ?? ""
        #expect(command.hasPrefix("ae-filter train --iterations 60 ") && !command.contains("--data"), "\(command)")
        #expect(checkpoint.metadata["metrics.test_psnr"].flatMap(Double.init) ?? 0 > 10)
        let log = try String(contentsOfFile: "\(dir)/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(log.count == 2 && log.allSatisfy { $0.hasPrefix("{\"iteration\":") })
        #expect(try String(contentsOfFile: "\(dir)/curve.svg", encoding: .utf8).contains("<polyline"))
        // The filter and info read it.
        #expect(try CLI.run(["--model", "\(dir)/m.safetensors", shirt]).status == 0)
        let info = String(decoding: try CLI.run(["info", "\(dir)/m.safetensors"]).stdout, as: UTF8.self)
        #expect(info.contains("fc1.weight  [128, 784]  100352"))
        #expect(info.contains("train.iterations: 60"))
    }

    @Test func interruptedRunResumesToTheSameCheckpoint() throws {
        let dir = try CLI.temporaryDirectory()
        let args =
            ["train"] + data + [
                "--iterations", "900", "--eval-every", "300", "--hidden", "256", "--checkpoint-every", "100",
                // Not the backend auto picks: the resumed run must keep it without being told.
                "--backend", "cpu",
            ]
        // Interrupted with SIGINT part-way.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = args + ["-o", "\(dir)/a.safetensors", "--log", "\(dir)/a.jsonl"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Interrupt once the first evaluation is reported: well inside the run.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("iteration 300/900") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let stderr = String(decoding: seen + errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(
            stderr.contains(
                "continue with: ae-filter train --resume \(dir)/a.resume.safetensors -o \(dir)/a.safetensors --log \(dir)/a.jsonl"
            ))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/a.safetensors"))
        let partial = try Checkpoint(contentsOf: "\(dir)/a.resume.safetensors", architectures: Fixtures.architectures)
        let stoppedAt = Int(partial.metadata["train.iteration"] ?? "") ?? 0
        #expect(stoppedAt >= 300 && stoppedAt < 900)

        // Without -o, the state's own name says where the model goes: a.safetensors.
        let resumed = try CLI.run(["train", "--resume", "\(dir)/a.resume.safetensors"] + data)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/a.resume.safetensors"))

        let straight = try CLI.run(args + ["-o", "\(dir)/b.safetensors"])
        #expect(straight.status == 0)
        let a = try Checkpoint(contentsOf: "\(dir)/a.safetensors", architectures: Fixtures.architectures)
        let b = try Checkpoint(contentsOf: "\(dir)/b.safetensors", architectures: Fixtures.architectures)
        let sameWeights = a.model.parameters == b.model.parameters
        #expect(sameWeights)
        #expect(a.metadata["metrics.test_mse"] == b.metadata["metrics.test_mse"])
    }

    /// The output's name is escaped where train prints it, and a checkpoint
    /// that cannot be resumed is named.
    @Test func namesAreEscapedAndNamed() throws {
        let dir = try CLI.temporaryDirectory()
        let name = "m\u{1B}[1m\nFAKE.st"
        let result = try CLI.run(
            [
                "train", "-q", "--architecture", "unet", "--channels", "2", "--depth", "1", "--iterations", "2", "-o",
                name,
            ]
                + data, in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(CLI.lines(result).count == 1 && !result.stdout.contains(0x1B), "\(CLI.lines(result))")
        #expect(CLI.lines(result).first?.hasSuffix("wrote m\\x1b[1m\\nFAKE.st") == true)
        let resumed = try CLI.run(["train", "--resume", name, "-o", "again.st"] + data, in: dir)
        #expect(resumed.status == 1)
        #expect(
            resumed.stderrLines.first?.hasPrefix("ae-filter: m\\x1b[1m\\nFAKE.st: not a resumable checkpoint") == true)
    }

    @Test func resumeRefusesNewTrainingOptions() throws {
        let result = try CLI.run(["train", "--resume", "x.safetensors", "--lr", "0.1"])
        #expect(result.status == 64)
    }

    @Test func missingDataIsNamed() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(["train", "--data", dir, "-o", "\(dir)/m.safetensors"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(dir)/train-images-idx3-ubyte.gz: not found"))
        #expect(result.stderr.contains("ae-filter data fetch"))
    }
}

/// `train` loses no work: its outputs are checked before the first step,
/// an interrupted run's state is never replaced by accident, and a run that
/// diverges keeps its last finite state.
extension TrainCommandTests {
    /// A device or FIFO as -o is refused before training: the resumable
    /// state beside it would be a file among the devices (third probe of issue 24).
    @Test func aDeviceAsTheOutputFailsBeforeTraining() throws {
        let dir = try CLI.temporaryDirectory()
        #expect(mkfifo("\(dir)/fifo", 0o600) == 0)
        for output in ["/dev/full", "\(dir)/fifo"] {
            let result = try CLI.run(["train"] + data + ["--iterations", "600", "-o", output])
            #expect(result.status == 1)
            #expect(result.stderr.contains("is not a regular file (a device or FIFO)"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output + ".resume.safetensors"))
        }
    }

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

    /// A run whose loss becomes NaN stops there: exit 1, one line, no final
    /// checkpoint, the last finite state kept, and a log that still parses.
    @Test(.needsData) func aDivergedRunStopsAndKeepsTheLastFiniteState() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(
            ["train"] + data + [
                "--iterations", "40", "--lr", "1e30", "--eval-every", "1", "--log", "\(dir)/log", "-o",
                "\(dir)/m.safetensors",
            ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the run diverged"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.safetensors"))
        #expect(try parsesStrictly(Fixtures.bytes("\(dir)/log")))
        if FileManager.default.fileExists(atPath: "\(dir)/m.resume.safetensors") {
            #expect(try CLI.run(["info", "\(dir)/m.resume.safetensors"]).status == 0)
        }
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
        // Values that reach arithmetic: a usage error, never a trap.
        (["--batch-size", "0"], "--batch-size must be between 1 and 60000, got 0"),
        (["--batch-size", "-5"], "--batch-size must be between 1 and 60000, got -5"),
        (["--epochs", "9223372036854775807"], "--epochs must be between 1 and 1000000"),
        (["--iterations", "0"], "--iterations must be at least 1, got 0"),
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

/// Every setting a resumable checkpoint holds passes the checks the command
/// line applies before anything is trained, and an error names the file and
/// the key. These fail before the data is read, so they need none.
@Suite struct ResumeSettingsTests {
    /// A valid resumable state of a small tutorial model, with `changes` to its metadata.
    static func state(
        in dir: String, _ changes: [String: String?] = [:], optimizer: Bool = true,
        model: any DenoisingModel = Fixtures.randomModel(hidden: 8)
    ) throws -> String {
        var metadata: [String: String] = [
            "train.architecture": "tutorial", "train.hyperparameters": "hidden_size=8", "train.iterations": "10",
            "train.batch_size": "10", "train.lr": "0.001", "train.min_lr": "0.0", "train.schedule": "constant",
            "train.adam_beta1": "0.9", "train.adam_beta2": "0.999", "train.adam_eps": "1e-08",
            "train.noise_model": "dropout", "train.noise": "0.5", "train.seed": "0", "train.eval_every": "5",
            "train.noise_range": "none", "train.iteration": "2", "noise_model": "dropout", "noise": "0.5",
        ]
        for (key, value) in changes { metadata[key] = value }
        var extra: [String: SafeTensors.Tensor] = [:]
        if optimizer {
            for parameter in model.parameters {
                let zeros = [Float](repeating: 0, count: parameter.values.count)
                extra["optimizer.exp_avg.\(parameter.name)"] = .init(shape: [zeros.count], values: zeros)
                extra["optimizer.exp_avg_sq.\(parameter.name)"] = .init(shape: [zeros.count], values: zeros)
            }
        }
        let path = "\(dir)/m.resume.safetensors"
        try Data(Checkpoint(model: model, metadata: metadata, extraTensors: extra).serialized())
            .write(to: URL(fileURLWithPath: path))
        return path
    }

    static func resume(_ path: String, in dir: String) throws -> CLI.Result {
        try CLI.run(["train", "--resume", path, "-o", "\(dir)/out.safetensors", "--data", "\(dir)/no-data"])
    }

    /// The untouched state is accepted: the run gets as far as the (missing) data.
    @Test func aValidStateGetsToTheData() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try Self.resume(try Self.state(in: dir), in: dir)
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("ae-filter: data: "), "\(result.stderr)")
    }

    @Test(arguments: [
        // The probe's cases.
        ("train.batch_size", "0", "train.batch_size must be between 1 and 60000, got 0"),
        ("train.batch_size", "-100", "train.batch_size must be between 1 and 60000, got -100"),
        ("train.lr", "-1", "train.lr must be positive, got -1.0"),
        ("train.eval_every", "0", "train.eval_every must be at least 1, got 0"),
        ("train.noise_range", "0.7:0.1", "train.noise_range is invalid: '0.7:0.1'"),
        ("train.noise_range", "nan:1", "train.noise_range is invalid: 'nan:1'"),
        // Variants the probe did not try.
        ("train.batch_size", "99999999999999999999", "train.batch_size is invalid"),
        ("train.iterations", "0", "train.iterations must be at least 1, got 0"),
        ("train.lr", "inf", "train.lr must be positive, got inf"),
        ("train.min_lr", "-0.5", "train.min_lr must be 0 or more"),
        ("train.adam_beta2", "1", "train.adam_beta2 must be at least 0 and below 1"),
        ("train.adam_eps", "0", "train.adam_eps must be positive"),
        ("train.noise", "2", "train.noise: dropout noise needs a probability"),
        ("train.noise", "nan", "train.noise must be a number"),
        ("train.noise_range", "0:3", "train.noise_range: dropout noise needs a probability"),
        ("train.noise_model", "no-such", "train.noise_model: unknown noise model"),
        ("train.hyperparameters", "hidden_size=8,depth=2", "train.architecture: "),
        ("train.schedule", "sideways", "train.schedule is invalid"),
        ("train.iteration", "-5", "train.iteration is invalid: '-5' (0 to 10 steps)"),
        ("train.iteration", "11", "train.iteration is invalid: '11' (0 to 10 steps)"),
        // The running loss carried into the next evaluation's figure.
        ("train.running_loss_sum", "nan", "train.running_loss_sum is invalid: 'nan'"),
        ("train.running_loss_sum", "5.5", "train.running_loss_sum is 5.5 over no steps"),
        ("train.running_loss_count", "-1", "train.running_loss_count is invalid: '-1'"),
        ("train.running_loss_count", "100000000", "train.running_loss_count is invalid: '100000000'"),
    ])
    func aBadSettingIsNamedWithItsFile(key: String, value: String, message: String) throws {
        let dir = try CLI.temporaryDirectory()
        let path = try Self.state(in: dir, [key: value])
        let result = try Self.resume(path, in: dir)
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("ae-filter: \(path): metadata \(message)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out.safetensors"))
    }

    /// `train.architecture` and `train.hyperparameters` must be the tensors' own:
    /// they would be copied into the output as its provenance.
    @Test func theArchitectureMustBeTheTensors() throws {
        let dir = try CLI.temporaryDirectory()
        let unet = try Self.resume(
            try Self.state(in: dir, ["train.architecture": "unet", "train.hyperparameters": ""]), in: dir)
        #expect(unet.status == 1)
        #expect(
            unet.stderr.contains(
                "metadata train.architecture is 'unet' but the tensors are of the tutorial architecture"),
            "\(unet.stderr)")
        let wider = try Self.resume(try Self.state(in: dir, ["train.hyperparameters": "hidden_size=16"]), in: dir)
        #expect(wider.status == 1)
        #expect(wider.stderr.contains("gives hidden_size=16 but the tensors have hidden_size=8"), "\(wider.stderr)")
    }

    /// A trained model is not a run's state, and a saved backend that is gone is tied to the file.
    @Test func unclearResumeErrorsAreClear() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try Self.resume(try Self.state(in: dir, optimizer: false), in: dir)
        #expect(model.status == 1)
        #expect(model.stderr.contains(": not a resumable checkpoint (no optimizer state or train.iteration)"))
        let embedded = try Fixtures.bytes(Fixtures.referenceCheckpoint)
        try Data(embedded).write(to: URL(fileURLWithPath: "\(dir)/tutorial.safetensors"))
        let trained = try Self.resume("\(dir)/tutorial.safetensors", in: dir)
        #expect(trained.stderr.contains("tutorial.safetensors: not a resumable checkpoint"), "\(trained.stderr)")
        let path = try Self.state(in: dir, ["train.backend": "gone-backend"])
        let backend = try Self.resume(path, in: dir)
        #expect(backend.status == 1)
        #expect(
            backend.stderr.hasPrefix(
                "ae-filter: \(path): metadata train.backend 'gone-backend', the backend the run used"),
            "\(backend.stderr)")
    }
}
