import AEFilter
import AEFilterCore
import ArgumentParser
import FoundationEssentials
import Glibc

struct Filter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Denoise images (the default command).",
        discussion: """
            With no FILE, or with -, reads standard input. Without -o, the PNGs go to standard \
            output, one per input, in order. Every unreadable input gets one line on standard \
            error; the others are still processed, and the exit status is 1 at the end.
            """
    )

    @Argument(help: ArgumentHelp("Input images; - is standard input.", valueName: "FILE"))
    var files: [String] = []

    @Option(name: [.short, .long], help: ArgumentHelp(
        "Output file for a single input, or a directory (ending in /, or existing) for one PNG per input.",
        valueName: "PATH"))
    var output: String?

    @Option(help: ArgumentHelp("Noise level: a probability, or sigma for gaussian. 0 adds none.", valueName: "P"))
    var noise: Float = 0

    @Option(help: ArgumentHelp("Noise model (see `ae-filter plugins`).", valueName: "NAME"))
    var noiseModel: String = "dropout"

    @Option(help: ArgumentHelp("Seed for reproducible noise; random if not given.", valueName: "N"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Model checkpoint (safetensors); the embedded default model if not given.", valueName: "FILE"))
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

    func validate() throws {
        let plugins = PluginSet.standard
        guard noise.isFinite, noise >= 0 else { throw ValidationError("--noise must be 0 or more, got \(noise)") }
        if noise > 0 {
            do { _ = try plugins.noise.make(noiseModel, level: noise) } catch { throw ValidationError("--noise-model/--noise: \(error)") }
        } else if !plugins.noise.names.contains(noiseModel) {
            throw ValidationError("--noise-model: \(RegistryError.unknown(kind: "noise model", name: noiseModel, known: plugins.noise.names))")
        }
        guard (1...64).contains(scale) else { throw ValidationError("--scale must be between 1 and 64, got \(scale)") }
        guard maxPixels > 0 else { throw ValidationError("--max-pixels must be positive, got \(maxPixels)") }
        let inputs = files.isEmpty ? ["-"] : files
        if let output, !OutputPlan.isDirectory(output), inputs.count > 1 {
            throw ValidationError("-o FILE takes one input; use -o DIR/ for \(inputs.count) inputs")
        }
        if files.isEmpty, isatty(STDIN_FILENO) == 1 {
            throw ValidationError("no input: give FILE arguments or pipe an image to standard input")
        }
        if output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("refusing to write PNG data to a terminal; redirect standard output or use -o")
        }
    }

    func run() throws {
        let plugins = PluginSet.standard
        let checkpoint = try loadModel(model)
        var settings = FilterSettings()
        settings.fit = fit
        settings.invert = invert
        settings.noise = noise > 0 ? try plugins.noise.make(noiseModel, level: noise) : nil
        settings.seed = seed ?? UInt64.random(in: 0...UInt64.max)
        settings.emit = emit
        settings.scale = scale
        settings.maxPixels = maxPixels
        let pipeline = FilterPipeline.make(
            model: checkpoint.model, backend: try compute.makeBackend(), settings: settings)

        let inputs = files.isEmpty ? ["-"] : files
        let plan = try OutputPlan(output: output, inputs: inputs)
        var failures = 0
        // Batches bound memory and let the model see many images per forward pass.
        for start in stride(from: 0, to: inputs.count, by: settings.maxBatch) {
            let names = Array(inputs[start..<min(start + settings.maxBatch, inputs.count)])
            var results: [Result<[UInt8], any Error>] = names.map { name in Result { try FileReader.read(name) } }
            let readable = results.indices.filter { (try? results[$0].get()) != nil }
            let encoded = readable.map { EncodedImage(index: UInt64(start + $0), bytes: try! results[$0].get()) }
            for (slot, result) in zip(readable, pipeline.processBatch(encoded)) { results[slot] = result }
            // Outputs and messages in input order.
            for (name, result) in zip(names, results) {
                do {
                    try plan.write(try result.get(), for: name)
                } catch is ReaderGone {
                    // As if killed by SIGPIPE, which a parent may have set to be ignored.
                    throw ExitCode(128 + SIGPIPE)
                } catch {
                    Diagnostics.report(plan.label(name), error)
                    failures += 1
                }
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
