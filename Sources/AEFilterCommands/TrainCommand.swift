import AEData
import AEFilter
import AEFilterCore
import AESystem
import AETraining
import ArgumentParser
import Glibc

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a denoising autoencoder on Fashion-MNIST.",
        discussion: """
            The defaults are the tutorial's protocol: 784-1176-784, leaky_relu(0.01), sigmoid, \
            MSE, Adam(lr 1e-3), batch 100 reshuffled every epoch, 8 epochs (4,800 iterations), \
            dropout noise p=0.5 drawn fresh for every batch, evaluated on the 10,000 test images \
            every 500 iterations and at the end. SIGINT or SIGTERM writes a resumable checkpoint.
            """
    )

    @Option(
        help: ArgumentHelp(
            "Directory with the four Fashion-MNIST files (default: $AE_FILTER_DATA, else ~/.cache/ae-filter/fashion-mnist).",
            valueName: "DIR"))
    var data: String?

    @Option(
        name: [.short, .customLong("output")],
        help: ArgumentHelp(
            "Where to write the trained checkpoint (default model.safetensors; with --resume X.resume.safetensors, X.safetensors).",
            valueName: "FILE"))
    var outputOption: String?

    /// `-o`, else the name the resumed run's state implies, else model.safetensors.
    var output: String { outputOption ?? resume.flatMap(Self.output(resuming:)) ?? "model.safetensors" }

    /// The checkpoint a resumable state `X.resume.safetensors` belongs to: `X.safetensors`.
    static func output(resuming path: String) -> String? {
        let suffix = ".resume.safetensors"
        guard path.hasSuffix(suffix), path.count > suffix.count else { return nil }
        return String(path.dropLast(suffix.count)) + ".safetensors"
    }

    @Option(
        help: ArgumentHelp("Training length in passes over the 60,000 training images (default 8).", valueName: "N"))
    var epochs: Int?

    @Option(help: ArgumentHelp("Training length in iterations (overrides --epochs).", valueName: "N"))
    var iterations: Int?

    @Option(help: ArgumentHelp("Images per batch (default 100).", valueName: "N"))
    var batchSize: Int?

    @Option(help: ArgumentHelp("Adam learning rate (default 0.001).", valueName: "LR"))
    var lr: Float?

    @Option(help: ArgumentHelp("Learning-rate schedule: constant (default) or cosine.", valueName: "NAME"))
    var schedule: TrainingConfiguration.Schedule?

    @Option(help: ArgumentHelp("Final learning rate of the cosine schedule (default 0).", valueName: "LR"))
    var minLr: Float?

    @Option(help: HyperparameterOptions.architectureHelp(CommandPlugins.builtIn.architectures))
    var architecture: String?

    /// The architectures' hyper-parameters; `--NAME N` comes here as NAME=N (see ``HyperparameterOptions``).
    @Option(
        name: .customLong("hyperparameter"), help: HyperparameterOptions.help(CommandPlugins.builtIn.architectures))
    var hyperparameterSettings: [String] = []

    /// The hyper-parameters given, by name; empty if one cannot be read (validate() says which).
    var hyperparameters: [String: Int] {
        (try? HyperparameterOptions.values(hyperparameterSettings, registry: CommandPlugins.builtIn.architectures))
            ?? [:]
    }

    @Option(
        help: ArgumentHelp(
            "Blind training: draw each image's noise level uniformly from LO to HI (--noise is then the level of the evaluations).",
            valueName: "LO:HI"))
    var noiseRange: String?

    @Option(
        help: ArgumentHelp(
            "Train on a mixture: each image draws one NAME (uniformly), then its level from LO to HI (--noise-model and --noise are then the evaluations').",
            valueName: "NAME=LO:HI,..."))
    var noiseMix: String?

    @Option(help: ArgumentHelp("Noise level (default 0.5).", valueName: "P"))
    var noise: Float?

    @Option(help: ArgumentHelp("Noise model (default dropout; see `ae-filter plugins`).", valueName: "NAME"))
    var noiseModel: String?

    @Option(help: ArgumentHelp("Seed for the initial weights, shuffling and noise (default 0).", valueName: "N"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Evaluate on the test set every N iterations (default 500).", valueName: "N"))
    var evalEvery: Int?

    @OptionGroup var compute: ComputeOptions

    @Option(help: ArgumentHelp("Write a resumable checkpoint every N iterations.", valueName: "N"))
    var checkpointEvery: Int?

    @Option(help: ArgumentHelp("Continue the run saved in this resumable checkpoint.", valueName: "FILE"))
    var resume: String?

    @Option(help: ArgumentHelp("Append the evaluation figures as JSON lines to FILE.", valueName: "FILE"))
    var log: String?

    @Option(help: ArgumentHelp("Write the training curve (test PSNR against iteration) as an SVG.", valueName: "FILE"))
    var plot: String?

    @Option(
        help: ArgumentHelp("Weight type of the written checkpoint: F32 (default), F16 or BF16.", valueName: "DTYPE"))
    var dtype: String = "F32"

    @Flag(
        help: "Start over even if the resumable checkpoint of an interrupted run is beside the output (it is replaced)."
    )
    var force = false

    @Flag(name: [.short, .long], help: "Only errors and the final line: no progress, no evaluation lines.")
    var quiet = false

    /// The command line as a checkpoint records it: without `--data DIR`, a
    /// path on the machine that trained it (the data's MD5s say which data).
    static func portable(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext {
                skipNext = false
            } else if argument == "--data" {
                skipNext = true
            } else if !argument.hasPrefix("--data=") {
                kept.append(argument)
            }
        }
        return kept
    }

    /// The resumable checkpoint beside the output: model.safetensors → model.resume.safetensors.
    var resumePath: String {
        (output.hasSuffix(".safetensors") ? String(output.dropLast(12)) : output) + ".resume.safetensors"
    }

    func validate() throws {
        let plugins = compute.plugins
        let given = try HyperparameterOptions.values(hyperparameterSettings, registry: plugins.architectures)
        let overrides: [Any?] = [
            epochs, iterations, batchSize, lr, schedule, minLr, noise, noiseModel, seed, evalEvery,
            architecture,
            noiseRange, noiseMix,
        ]
        if resume != nil, overrides.contains(where: { $0 != nil }) || !given.isEmpty {
            throw ValidationError("--resume continues the saved configuration; drop the training options")
        }
        if let epochs, !(1...1_000_000).contains(epochs) {
            throw ValidationError("--epochs must be between 1 and 1000000, got \(epochs)")
        }
        if let batchSize, !TrainingConfiguration.batchSizes.contains(batchSize) {
            throw ValidationError("--batch-size must be between 1 and 60000, got \(batchSize)")
        }
        if let noiseRange, TrainingConfiguration.range(noiseRange) == nil {
            throw ValidationError("--noise-range must be LO:HI with 0 <= LO <= HI, got \(noiseRange)")
        }
        if noiseMix != nil, noiseRange != nil { throw ValidationError("give --noise-range or --noise-mix, not both") }
        if let noiseMix, NoiseMix(noiseMix) == nil {
            throw ValidationError(
                "--noise-mix must be NAME=LO:HI entries separated by commas (each name once, 0 <= LO <= HI, at most \(NoiseMix.maxEntries)), got \(noiseMix)"
            )
        }
        do {
            try makeConfiguration().check(noise: plugins.noise, architectures: plugins.architectures)
        } catch {
            throw ValidationError(Self.optionMessage(error))
        }
        for (flag, path) in [("-o", output), ("--log", log ?? "-"), ("--plot", plot ?? "-")] where path.isEmpty {
            throw ValidationError("\(flag) needs a file name")
        }
        try HyperparameterOptions.check(given, registry: plugins.architectures)
        try checkFilesAreDistinct()
        if let checkpointEvery, checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
        guard SafeTensors.DType(rawValue: dtype.uppercased()) != nil else {
            throw ValidationError("--dtype must be F32, F16 or BF16")
        }
    }

    /// A configuration's problem as the command line says it: by the option that sets it.
    static func optionMessage(_ problem: ConfigurationProblem) -> String {
        let options: [MetadataKey: String] = [
            .trainIterations: "--iterations", .trainBatchSize: "--batch-size", .trainLearningRate: "--lr",
            .trainMinLearningRate: "--min-lr", .trainEvalEvery: "--eval-every", .trainNoise: "--noise-model/--noise",
            .trainNoiseModel: "--noise-model",
            .trainNoiseRange: "--noise-range", .trainNoiseMix: "--noise-mix", .trainArchitecture: "--architecture",
        ]
        let option = options[problem.key] ?? problem.key.rawValue
        return option.hasPrefix("--") && problem.message.hasPrefix("must")
            ? "\(option) \(problem.message)" : "\(option): \(problem.message)"
    }

    /// A resumable checkpoint's configuration, with the checks the command line
    /// applies and its architecture the tensors' own; errors name the key.
    static func resumedConfiguration(_ checkpoint: Checkpoint, plugins: PluginSet) throws -> TrainingConfiguration {
        guard checkpoint.metadata[.trainIteration] != nil,
            checkpoint.extraTensors.keys.contains(where: {
                $0.hasPrefix("optimizer.")
            })
        else {
            throw CheckpointError(
                "not a resumable checkpoint (no optimizer state or train.iteration): "
                    + "it is a trained model; `ae-filter train --resume` takes the X.resume.safetensors of a stopped run"
            )
        }
        let configuration = try TrainingConfiguration(metadata: checkpoint.metadata)
        let iterationText = checkpoint.metadata[.trainIteration] ?? ""
        guard let done = Int(iterationText), (0...configuration.iterations).contains(done) else {
            throw CheckpointError(
                "metadata train.iteration is invalid: '\(iterationText)' (0 to \(configuration.iterations) steps)")
        }
        _ = try TrainingRun.runningLoss(checkpoint.metadata, done: done)
        do { try configuration.check(noise: plugins.noise, architectures: plugins.architectures) } catch {
            throw CheckpointError("metadata \(error)")
        }
        if let note = noiseProvenance(checkpoint, plugins: plugins) {
            throw CheckpointError("\(note): load the module it was trained with (--plugin FILE) to resume")
        }
        let model = checkpoint.model
        if configuration.architecture != model.architecture {
            throw CheckpointError(
                "metadata train.architecture is '\(configuration.architecture)' but the tensors are of the "
                    + "\(model.architecture) architecture")
        }
        let resolved = try plugins.architectures.hyperparameters(
            for: configuration.architecture, given: configuration.hyperparameters)
        for (name, value) in resolved.sorted(by: { $0.key < $1.key }) where model.hyperparameters[name] != "\(value)" {
            throw CheckpointError(
                "metadata train.hyperparameters gives \(name)=\(value) but the tensors have "
                    + "\(name)=\(model.hyperparameters[name] ?? "none")")
        }
        return configuration
    }

    func makeConfiguration() -> TrainingConfiguration {
        var c = TrainingConfiguration()
        if let architecture { c.architecture = architecture }
        for (name, value) in hyperparameters { c.hyperparameters[name] = value }
        if let noiseRange { c.noiseRange = TrainingConfiguration.range(noiseRange) }
        if let noiseMix { c.noiseMix = NoiseMix(noiseMix) }
        if let batchSize { c.batchSize = batchSize }
        // Checked in validate(); kept safe for any value all the same.
        let batchesPerEpoch = (60_000 + c.batchSize - 1) / max(1, c.batchSize)
        c.iterations = iterations ?? (epochs ?? 8).multipliedReportingOverflow(by: batchesPerEpoch).partialValue
        if let lr { c.learningRate = lr }
        if let minLr { c.minLearningRate = minLr }
        if let schedule { c.schedule = schedule }
        if let noise { c.noiseLevel = noise }
        if let noiseModel { c.noiseModel = noiseModel }
        if let seed { c.seed = seed }
        if let evalEvery { c.evalEvery = evalEvery }
        return c
    }

    /// No two outputs are one file, and no output is an input (the data, --resume).
    func checkFilesAreDistinct() throws {
        let outputs =
            [("-o", output), ("the resumable checkpoint", resumePath)]
            + [("--plot", plot), ("--log", log)].compactMap { name, path in path.map { (name, $0) } }
        let folder = DataDirectory.resolve(data)
        let inputs =
            [("--resume", resume)].compactMap { name, path in path.map { (name, $0) } }
            + FashionMNIST.files.flatMap { file in
                [file.name, String(file.name.dropLast(3))].map { ("the data file", "\(folder)/\($0)") }
            }
        for (index, (name, path)) in outputs.enumerated() {
            for (otherName, other) in outputs[(index + 1)...] where FileIdentity.same(path, other) {
                throw ValidationError("\(name) and \(otherName) are the same file, \(Path.display(path))")
            }
            for (inputName, input) in inputs where FileIdentity.same(path, input) {
                // Continuing a run writes its own resumable checkpoint again, by design.
                if name == "the resumable checkpoint", inputName == "--resume" { continue }
                throw ValidationError(
                    "\(name) \(Path.display(path)) is \(inputName) \(Path.display(input)); an input is never written")
            }
        }
    }

    /// Every file the run will write must be writable before the first step,
    /// and an interrupted run's state is never replaced by accident.
    func checkOutputs() throws {
        for path in [output, resumePath] + [plot, log].compactMap({ $0 }) {
            let folder = Path.directory(of: path)
            var problem: String?
            if Path.isDirectory(path) {
                problem = "is a folder; give a file name"
            } else if path == output || path == resumePath, let info = Path.status(path),
                (info.st_mode & S_IFMT) != S_IFREG
            {
                // The model and its resumable state are files side by side:
                // a device's state would be a file among the devices.
                problem = "is not a regular file (a device or FIFO); give a file name"
            } else if !Path.isDirectory(folder) {
                problem = "its folder \(Path.display(folder)) does not exist"
            } else if Path.access(folder, W_OK) != 0 {
                problem = "cannot write in \(Path.display(folder)): \(String(cString: strerror(errno)))"
            }
            if let problem {
                Diagnostics.report(path, problem + " (checked before training, so no work is lost)")
                throw ExitCode.failure
            }
        }
        if resume == nil, !force, Path.exists(resumePath) {
            Diagnostics.report(
                resumePath,
                "an interrupted run's state is here: continue it with `ae-filter train --resume "
                    + "\(Path.shellWord(resumePath)) -o \(Path.shellWord(output))`, or start over with --force")
            throw ExitCode.failure
        }
    }

    func run() throws {
        try checkOutputs()
        let plugins = compute.plugins
        var resumed: Checkpoint?
        var configuration = makeConfiguration()
        if let resume {
            do {
                let checkpoint = try Checkpoint(contentsOf: resume, architectures: plugins.architectures)
                configuration = try Self.resumedConfiguration(checkpoint, plugins: plugins)
                resumed = checkpoint
            } catch {
                Diagnostics.report(resume, error)
                throw ExitCode.failure
            }
        }
        // The trainer splits each step over its threads itself: one backend thread per call.
        // A resumed run keeps its backend unless told otherwise: another one rounds differently.
        var backendName = compute.backend
        var savedBackend: String?
        if backendName == "auto", let saved = resumed?.metadata[.trainBackend], saved != "auto" {
            backendName = saved
            savedBackend = saved
        }
        let backend: any Backend
        do {
            backend = try plugins.backends.make(backendName, threads: 1, for: .training)
        } catch {
            guard let resume, let savedBackend else { throw error }
            Diagnostics.report(
                resume,
                "metadata train.backend '\(savedBackend)', the backend the run used: \(error); "
                    + "load its module, or give --backend to continue on another (it rounds differently)")
            throw ExitCode.failure
        }
        let dataset = try loadData(data)
        if let stop = StopSignal.exitStatus {
            Diagnostics.report("train", "stopped before the first iteration; nothing was written")
            throw ExitCode(stop)
        }
        let noiseModel = try plugins.noise.make(configuration.noiseModel, level: configuration.noiseLevel)
        let noiseRegistry = plugins.noise
        var run: TrainingRun
        do {
            run = try TrainingRun(
                configuration: configuration, train: dataset.train, test: dataset.test, noise: noiseModel,
                noiseAt: { name, level in try noiseRegistry.make(name, level: level) },
                architectures: plugins.architectures, backend: backend, threads: compute.threads(), resume: resumed)
        } catch let error as CheckpointError {
            // Only a resumed checkpoint can be wrong here: name it.
            Diagnostics.report(resume ?? "train", error)
            throw ExitCode.failure
        }

        var metadata: [String: String] = [:]
        metadata[.version] = AEFilterVersion.current
        metadata[.trainCommand] = (["ae-filter"] + Self.portable(CommandLineArguments.raw())).joined(separator: " ")
        metadata[.trainBackend] = backend.name
        metadata[.trainThreads] = "\(compute.threads())"
        for file in FashionMNIST.files { metadata[.dataMD5(file.name)] = dataset.md5s[file.name] }
        metadata[.dataOfficial] = "\(dataset.isOfficial)"
        // A noise model from a module is named by the module's file and contents.
        if case .module(let path, _, let sha256)? = plugins.noise.entries.first(where: {
            $0.name == configuration.noiseModel
        })?.origin {
            metadata[.noiseModelModule] = path
            metadata[.noiseModelSHA256] = sha256
        }
        if let resumed { metadata[.trainCommand] = resumed.metadata[.trainCommand] ?? metadata[.trainCommand] }

        let progress = TrainingProgress(
            total: configuration.iterations, from: run.iteration, logPath: log, quiet: quiet)
        let resumePath = self.resumePath
        try run.run(
            checkpointEvery: checkpointEvery,
            onStep: progress.step,
            onEvaluation: progress.evaluation,
            onCheckpoint: { run in
                try save(run.checkpoint(resumable: true, metadata: metadata).serialized(), to: resumePath)
            },
            shouldStop: StopSignal.requested)
        progress.finish()

        if let fault = run.noiseFault {
            var kept = "nothing was written"
            if run.iteration > 0 {
                try save(run.checkpoint(resumable: true, metadata: metadata).serialized(), to: resumePath)
                kept = "the state before it is in \(Path.display(resumePath))"
            }
            Diagnostics.report("train", "\(fault) at iteration \(run.iteration + 1); \(kept)")
            throw ExitCode.failure
        }
        if let step = run.divergedAt {
            var kept = "nothing was written"
            if run.weightsAreFinite {
                try save(run.checkpoint(resumable: true, metadata: metadata).serialized(), to: resumePath)
                kept = "the state before it is in \(Path.display(resumePath))"
            }
            Diagnostics.report(
                "train",
                "the loss is not finite at iteration \(step): the run diverged: train again with a lower --lr"
                    + "\(backend.suspicion); \(kept)")
            throw ExitCode.failure
        }
        if !run.isFinished {
            try save(run.checkpoint(resumable: true, metadata: metadata).serialized(), to: resumePath)
            Diagnostics.report(
                "train",
                "stopped at iteration \(run.iteration) of \(configuration.iterations); continue with: "
                    + "ae-filter train --resume \(Path.shellWord(resumePath)) -o \(Path.shellWord(output))"
                    + [("--log", log), ("--plot", plot)].compactMap { flag, path in
                        path.map { " \(flag) \(Path.shellWord($0))" }
                    }.joined()
            )
            throw ExitCode(StopSignal.exitStatus ?? 130)
        }
        let type = SafeTensors.DType(rawValue: dtype.uppercased()) ?? .f32
        do {
            try AtomicFile.write(
                run.checkpoint(resumable: false, metadata: metadata).serialized(dtype: type), to: output)
        } catch {
            // Keep the trained state where it can be resumed from, if that can be written.
            let kept =
                (try? AtomicFile.write(run.checkpoint(resumable: true, metadata: metadata).serialized(), to: resumePath))
                != nil
            let savedTo = kept ? "; the trained state is in \(Path.display(resumePath))" : ""
            Diagnostics.report(output, error.reason + savedTo)
            throw ExitCode.failure
        }
        if checkpointEvery != nil || resume != nil || force { _ = Path.unlink(resumePath) }
        if let plot {
            try save(Array(TrainingPlot.svg(run.history).utf8), to: plot)
        }
        if progress.logFailed { throw ExitCode.failure }
        if let stop = StopSignal.exitStatus {
            // Every step was done; only the last evaluation was cut short.
            Diagnostics.report(
                "train", "stopped during the final evaluation; the trained model is in \(Path.display(output))")
            throw ExitCode(stop)
        }
        if let last = run.history.last {
            print(
                "final: iteration \(last.iteration), test MSE \(format(last.testMSE, 5)), PSNR \(format(last.testPSNR, 2)) dB, \(format(last.elapsedSeconds, 1)) s; wrote \(Path.display(output))"
            )
        }
    }

    func save(_ bytes: [UInt8], to path: String) throws {
        do { try AtomicFile.write(bytes, to: path) } catch {
            Diagnostics.report(path, error)
            throw ExitCode.failure
        }
    }
}

func format(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (abs(value) * scale).rounded()
    let whole = Int(rounded / scale)
    let fraction = Int(rounded.truncatingRemainder(dividingBy: scale))
    let digitsText = String(fraction)
    let sign = value < 0 && rounded != 0 ? "-" : ""
    return digits == 0
        ? "\(sign)\(whole)" : "\(sign)\(whole)." + String(repeating: "0", count: digits - digitsText.count) + digitsText
}
