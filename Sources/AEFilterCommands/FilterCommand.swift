import AEFilter
import AEFilterCore
import AEImageIO
import AESystem
import ArgumentParser
import CAESystem
import Glibc

extension ErrorPolicy: ExpressibleByArgument {}

/// The filter command: its options (see ``FilterOptions``), their checks, and the run.
struct FilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Denoise images (the default command).",
        discussion: """
            Each FILE is an image, a folder (walked recursively for image files), or - for standard \
            input. Standard input carries any number of images back to back (PNG, JPEG, PNM, mixed), \
            an IDX3 images file, or either gzipped. Without -o, one output per image goes to standard \
            output, in input order. Every unreadable input gets one line on standard error; the others \
            are still processed, and the exit status is 1 at the end.
            """
    )

    /// The inputs, with any long run of trailing names ``ManyFiles`` kept from the parser.
    @Argument(help: ArgumentHelp("Input images and folders; - is standard input.", valueName: "FILE"))
    var files: [String] = []

    // Names, help and defaults: FilterOptions, which every reader of the command line reads.
    @Option(name: FilterOptions.output.name, help: FilterOptions.output.help)
    var output: String?

    @Option(name: FilterOptions.format.name, help: FilterOptions.format.help)
    var format: OutputFormatArgument = FilterOptions.format.defaultValue

    @Flag(name: FilterOptions.lines.name, help: FilterOptions.lines.help)
    var lines: Bool = FilterOptions.lines.defaultValue

    @Option(name: FilterOptions.filesFrom.name, help: FilterOptions.filesFrom.help)
    var filesFrom: String?

    @Flag(name: FilterOptions.null.name, help: FilterOptions.null.help)
    var nulSeparated: Bool = FilterOptions.null.defaultValue

    @Flag(name: FilterOptions.skipExisting.name, help: FilterOptions.skipExisting.help)
    var skipExisting: Bool = FilterOptions.skipExisting.defaultValue

    @Flag(name: FilterOptions.summary.name, help: FilterOptions.summary.help)
    var summary: Bool = FilterOptions.summary.defaultValue

    @Flag(name: FilterOptions.quiet.name, help: FilterOptions.quiet.help)
    var quiet: Bool = FilterOptions.quiet.defaultValue

    @Option(name: FilterOptions.onError.name, help: FilterOptions.onError.help)
    var onError: ErrorPolicy = FilterOptions.onError.defaultValue

    @Option(name: FilterOptions.jobs.name, help: FilterOptions.jobs.help)
    var jobs: Int?

    @Option(name: FilterOptions.batchSize.name, help: FilterOptions.batchSize.help)
    var batchSize: Int = FilterOptions.batchSize.defaultValue

    @Option(name: FilterOptions.noise.name, help: FilterOptions.noise.help)
    var noise: Float = FilterOptions.noise.defaultValue

    @Option(name: FilterOptions.noiseModel.name, help: FilterOptions.noiseModel.help)
    var noiseModel: String = FilterOptions.noiseModel.defaultValue

    @Option(name: FilterOptions.seed.name, help: FilterOptions.seed.help)
    var seed: UInt64?

    @Option(name: FilterOptions.model.name, help: FilterOptions.model.help)
    var model: String?

    @Option(name: FilterOptions.fit.name, help: FilterOptions.fit.help)
    var fit: Fit = FilterOptions.fit.defaultValue

    @Option(name: FilterOptions.invert.name, help: FilterOptions.invert.help)
    var invert: Invert = FilterOptions.invert.defaultValue

    @Option(name: FilterOptions.emit.name, help: FilterOptions.emit.help)
    var emit: Emit = FilterOptions.emit.defaultValue

    @Option(name: FilterOptions.scale.name, help: FilterOptions.scale.help)
    var scale: Int = FilterOptions.scale.defaultValue

    @OptionGroup var compute: ComputeOptions

    @Option(name: FilterOptions.maxPixels.name, help: FilterOptions.maxPixels.help)
    var maxPixels: Int = FilterOptions.maxPixels.defaultValue

    /// The run these options describe, without the model and noise.
    var filterRun: FilterRun {
        var run = FilterRun(inputs: files.isEmpty && filesFrom == nil ? ["-"] : files)
        run.input.lines = lines
        run.input.filesFrom = filesFrom
        run.input.nulSeparated = nulSeparated
        run.output = output
        run.format = format.value
        run.skipExisting = skipExisting
        run.onError = onError
        run.workers = jobs ?? ComputeOptions.cores
        run.settings.fit = fit
        run.settings.invert = invert
        run.settings.emit = emit
        run.settings.scale = scale
        run.settings.maxPixels = maxPixels
        run.settings.maxBatch = batchSize
        return run
    }

    func validate() throws {
        let plugins = compute.plugins
        guard noise.isFinite, noise >= 0 else { throw ValidationError("--noise must be 0 or more, got \(noise)") }
        if noise > 0 {
            do { _ = try plugins.noise.make(noiseModel, level: noise) } catch {
                throw ValidationError("--noise-model/--noise: \(error)")
            }
        } else if !plugins.noise.names.contains(noiseModel) {
            throw ValidationError(
                "--noise-model: \(RegistryError.unknown(kind: "noise model", name: noiseModel, known: plugins.noise.names))"
            )
        }
        guard (1...64).contains(scale) else { throw ValidationError("--scale must be between 1 and 64, got \(scale)") }
        guard maxPixels > 0 else { throw ValidationError("--max-pixels must be positive, got \(maxPixels)") }
        if let jobs, !(1...256).contains(jobs) {
            throw ValidationError("--jobs must be between 1 and 256, got \(jobs)")
        }
        guard (1...4096).contains(batchSize) else {
            throw ValidationError("--batch-size must be between 1 and 4096, got \(batchSize)")
        }
        let run = filterRun
        let toDirectory = run.writesToDirectory
        if let output, !toDirectory, run.writesManyFiles {
            let streams = plugins.formats.entries.filter { $0.format.layout != .filePerImage }.map(\.name)
            throw ValidationError(
                "-o \(output) names one \(format.value.name.uppercased()) file; use -o DIR/ for many inputs, "
                    + "or --format \(streams.joined(separator: "|"))")
        }
        do { try run.refuseOutputFolderAmongInputs() } catch { throw ValidationError("\(error)") }
        if toDirectory && lines { throw ValidationError("--lines writes a stream; it cannot go to a directory") }
        if toDirectory && format.value.layout == .oneFile {
            throw ValidationError("--format \(format) writes one file; give -o FILE, not a directory")
        }
        if lines && format.value.layout == .oneFile { throw ValidationError("--lines cannot carry --format \(format)") }
        if onError == .mark && !lines {
            throw ValidationError("--on-error mark marks --lines records; use it with --lines")
        }
        if skipExisting && !toDirectory { throw ValidationError("--skip-existing needs -o DIR") }
        if nulSeparated && filesFrom == nil { throw ValidationError("-0 applies to --files-from") }
        if filesFrom == "-" && files.contains("-") {
            throw ValidationError("standard input cannot be both --files-from and an input")
        }
        if run.inputs.contains("-") || filesFrom == "-", isatty(STDIN_FILENO) == 1 {
            throw ValidationError("no input: give FILE arguments or pipe images to standard input")
        }
        if output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("refusing to write image data to a terminal; redirect standard output or use -o")
        }
    }

    func run() throws {
        // Batches allocate and free buffers of hundreds of KB; glibc would map
        // and unmap each one, faulting its pages in again every time.
        CAESystem_keep_allocations_up_to(64 << 20)
        // Noise the tool adds gets the model trained for it.
        let reference = model ?? (noise > 0 ? EmbeddedModels.specialist(for: noiseModel) : nil)
        let checkpoint = try loadModel(reference, plugins: compute.plugins)
        if let model, noise > 0, let trained = checkpoint.trainedNoiseModels, !trained.contains(noiseModel) {
            Diagnostics.report(
                model,
                "note: trained on \(trained.joined(separator: ", ")) noise, not \(noiseModel); denoising anyway "
                    + "(without --model, \(noiseModel) noise gets the \(EmbeddedModels.specialist(for: noiseModel)) model)"
            )
        }
        // A thread count from the user is the whole of it: no helper thread.
        checkpoint.model.warmUp(helper: jobs == nil && compute.threads == nil ? HelpingHand.shared : nil)
        // A checkpoint trained with a noise model that is not loaded, or is
        // another module now, still denoises; say so once.
        if let note = noiseProvenance(checkpoint, plugins: compute.plugins) {
            Diagnostics.report(reference ?? "default model", note + "; denoising anyway")
        }
        var run = filterRun
        // Noise the model was not trained on reaches it as it looks.
        run.settings.noise = checkpoint.noiseAsSeen(
            noise > 0 ? try compute.plugins.noise.make(noiseModel, level: noise) : nil)
        run.settings.seed = seed ?? UInt64.random(in: 0...UInt64.max)
        // Parallelism comes from the workers; one compute thread each keeps
        // the results identical whatever --jobs is.
        let backend = try compute.makeBackend(threads: 1)
        let progress = ProgressLine(label: "ae-filter", unit: .count("images"), quiet: quiet)
        progress.start(total: nil, delay: 1)
        if progress.isDrawn {
            // The total, for the percentage and time left, is counted beside the run.
            let (inputs, settings, later) = (run.inputs, run.input, progress.laterTotal)
            let excluded = run.writesToDirectory ? run.output : nil
            WorkerThread {
                let total = FilterInputs.total(
                    arguments: inputs, settings: settings, excluding: excluded, shouldStop: StopSignal.requested)
                if let total { later.store(total) }
            }.detach()
        }
        run.progress = progress.update
        let counts: FilterRun.Counts
        do {
            counts = try run.run(
                model: checkpoint.model, backend: backend, shouldStop: StopSignal.requested, report: Diagnostics.report)
        } catch is ReaderGone {
            // As if killed by SIGPIPE, which a parent may have set to be ignored.
            throw ExitCode(128 + SIGPIPE)
        } catch let error as OutputError {
            Diagnostics.report("error", error.description)
            throw ExitCode.failure
        }
        progress.finish()
        if summary {
            Diagnostics.report(
                "summary",
                "\(counts.processed) processed, \(counts.failed) failed, \(counts.skipped) skipped"
                    + (counts.stopped ? "; stopped at the first failure (--on-error stop)" : ""))
        }
        if let stop = StopSignal.exitStatus { throw ExitCode(stop) }
        if counts.failed > 0 && onError != .mark { throw ExitCode.failure }
    }
}
