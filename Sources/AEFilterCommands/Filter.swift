import AEFilter
import AEFilterCore
import AEImageIO
import AESystem
import ArgumentParser
import CAESystem
import Glibc

extension OutputFormat: ExpressibleByArgument {}
extension ErrorPolicy: ExpressibleByArgument {}

struct Filter: ParsableCommand {
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

    @Argument(help: ArgumentHelp("Input images and folders; - is standard input.", valueName: "FILE"))
    var files: [String] = []

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Output file, or a directory (ending in /, or existing) for one file per input, mirroring input folders.",
            valueName: "PATH"))
    var output: String?

    @Option(help: "Output format: a PNG per image, a PGM (P5) stream, or one IDX3 file.")
    var format: OutputFormat = .png

    @Flag(
        help:
            "Lines mode: each input line is a base64 image, or KEY<TAB>base64; each output line is KEY<TAB>base64 of the output."
    )
    var lines = false

    @Option(
        help: ArgumentHelp("Read more input paths from FILE (- for standard input), one per line.", valueName: "FILE"))
    var filesFrom: String?

    @Flag(
        name: [.customShort("0"), .customLong("null")], help: "The --files-from list is NUL-separated (find -print0).")
    var nulSeparated = false

    @Flag(help: "With -o DIR, leave inputs whose output exists already (resumes a run).")
    var skipExisting = false

    @Flag(help: "Print the counts of processed, failed and skipped inputs on standard error at the end.")
    var summary = false

    @Flag(
        name: [.short, .long],
        help: "No progress line (shown on a terminal for runs longer than a second); errors are still reported.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "What a bad input does: report it (and write nothing in its place), write a blank placeholder image so "
                + "later images keep their positions, mark it in its --lines record and exit 0, or stop the run.",
            valueName: "report|placeholder|mark|stop"))
    var onError: ErrorPolicy = .report

    @Option(
        name: [.customShort("j"), .long],
        help: ArgumentHelp(
            "Parallel workers (default: the number of cores; then a U-Net pass of one or two images also borrows a helper thread, which -j or --threads turns off).",
            valueName: "N"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Images per forward pass.", valueName: "N"))
    var batchSize: Int = 256

    @Option(help: ArgumentHelp("Noise level: a probability, or sigma for gaussian. 0 adds none.", valueName: "P"))
    var noise: Float = 0

    @Option(help: ArgumentHelp("Noise model (see `ae-filter plugins`).", valueName: "NAME"))
    var noiseModel: String = "dropout"

    @Option(help: ArgumentHelp("Seed for reproducible noise; random if not given.", valueName: "N"))
    var seed: UInt64?

    @Option(
        help: ArgumentHelp(
            "An embedded model (\(EmbeddedModels.names.joined(separator: ", "))) or a checkpoint file (safetensors); "
                + "default: with --noise, the noise model's own (blind for dropout, universal for a module's), "
                + "else \(EmbeddedModels.defaultName).", valueName: "NAME|FILE"))
    var model: String?

    @Option(help: "How other shapes become 28x28: keep the aspect and pad, stretch, or crop.")
    var fit: Fit = .pad

    @Option(help: "Invert dark-on-light images; auto decides from the border pixels.")
    var invert: Invert = .auto

    @Option(help: "What to write: the denoised image, the noisy input, the input, or all three side by side.")
    var emit: Emit = .denoised

    @Option(help: ArgumentHelp("Enlarge the output N times (nearest-neighbour).", valueName: "N"))
    var scale: Int = 1

    @OptionGroup var compute: ComputeOptions

    @Option(help: ArgumentHelp("Reject images with more pixels than this.", valueName: "N"))
    var maxPixels: Int = 64_000_000

    var allFiles: [String] { files + ManyFiles.trailing }

    /// The run these options describe, without the model and noise.
    var filterRun: FilterRun {
        var run = FilterRun(inputs: allFiles.isEmpty && filesFrom == nil ? ["-"] : allFiles)
        run.input.lines = lines
        run.input.filesFrom = filesFrom
        run.input.nulSeparated = nulSeparated
        run.output = output
        run.format = format
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
        if let output, !toDirectory, run.writesManyPNGs {
            throw ValidationError("-o \(output) names one PNG file; use -o DIR/ for many inputs, or --format pgm|idx")
        }
        do { try run.refuseOutputFolderAmongInputs() } catch { throw ValidationError("\(error)") }
        if toDirectory && lines { throw ValidationError("--lines writes a stream; it cannot go to a directory") }
        if toDirectory && format == .idx {
            throw ValidationError("--format idx writes one file; give -o FILE, not a directory")
        }
        if lines && format == .idx { throw ValidationError("--lines cannot carry --format idx") }
        if onError == .mark && !lines {
            throw ValidationError("--on-error mark marks --lines records; use it with --lines")
        }
        if skipExisting && !toDirectory { throw ValidationError("--skip-existing needs -o DIR") }
        if nulSeparated && filesFrom == nil { throw ValidationError("-0 applies to --files-from") }
        if filesFrom == "-" && allFiles.contains("-") {
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
        // A thread count from the user is the whole of it.
        if jobs != nil || compute.threads != nil { HelpingHand.shared?.disable() }
        checkpoint.model.warmUp()
        // A checkpoint trained with a noise model that is not loaded, or is
        // another module now, still denoises; say so once.
        if let note = noiseProvenance(checkpoint, plugins: compute.plugins) {
            Diagnostics.report(reference ?? "default model", note + "; denoising anyway")
        }
        var run = filterRun
        run.settings.noise = noise > 0 ? try compute.plugins.noise.make(noiseModel, level: noise) : nil
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
