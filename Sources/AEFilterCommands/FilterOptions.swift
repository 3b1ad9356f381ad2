import AEFilter
import AEFilterCore
import AEImageIO
import ArgumentParser

/// One option of the filter, declared once: its spellings, help, default and
/// the field it sets. The `@Option`s and `@Flag`s of ``FilterCommand`` and
/// ``ComputeOptions`` take their names, help and defaults from it, and
/// ``FilterShortcut``, ``CommandLineArguments`` and ``ManyFiles`` read the
/// same entries through ``FilterOptions/all``.
struct FilterOption<Value: Sendable>: Sendable {
    let long: String
    let short: Character?
    let help: ArgumentHelp
    let defaultValue: Value
    let takesValue: Bool
    /// Sets the field from the values given, in order (none: the default);
    /// false when they do not read as the parser would read them.
    let apply: @Sendable (inout FilterCommand, [String]) -> Bool

    /// The names for `@Option(name:)` and `@Flag(name:)`.
    var name: NameSpecification {
        short.map { [.customShort($0), .customLong(long)] } ?? [.customLong(long)]
    }

    /// Every spelling: `-o`, `--output`.
    var spellings: [String] { ["--" + long] + (short.map { ["-" + String($0)] } ?? []) }
}

extension FilterOption where Value: ExpressibleByArgument {
    /// An option that takes one value, read as the parser reads it.
    init(
        _ long: String, short: Character? = nil, default defaultValue: Value, help: ArgumentHelp,
        _ field: @escaping @Sendable (inout FilterCommand, Value) -> Void
    ) {
        self.init(long: long, short: short, help: help, defaultValue: defaultValue, takesValue: true) {
            command, values in
            guard values.count <= 1 else { return false }
            guard let text = values.first else {
                field(&command, defaultValue)
                return true
            }
            guard let value = Value(argument: text) else { return false }
            field(&command, value)
            return true
        }
    }
}

extension FilterOption {
    /// An option that takes one value and has none by default.
    init<Wrapped: ExpressibleByArgument & Sendable>(
        _ long: String, short: Character? = nil, help: ArgumentHelp,
        _ field: @escaping @Sendable (inout FilterCommand, Wrapped?) -> Void
    ) where Value == Wrapped? {
        self.init(long: long, short: short, help: help, defaultValue: Wrapped?.none, takesValue: true) {
            command, values in
            guard values.count <= 1 else { return false }
            guard let text = values.first else {
                field(&command, nil)
                return true
            }
            guard let value = Wrapped(argument: text) else { return false }
            field(&command, value)
            return true
        }
    }
}

extension FilterOption where Value == Bool {
    /// A flag, off by default.
    init(
        flag long: String, short: Character? = nil, help: ArgumentHelp,
        _ field: @escaping @Sendable (inout FilterCommand, Bool) -> Void
    ) {
        self.init(long: long, short: short, help: help, defaultValue: false, takesValue: false) { command, values in
            guard values.count <= 1 else { return false }
            field(&command, !values.isEmpty)
            return true
        }
    }
}

extension FilterOption where Value == [String] {
    /// An option that may be given many times, each value kept in order.
    init(
        repeatable long: String, help: ArgumentHelp,
        _ field: @escaping @Sendable (inout FilterCommand, [String]) -> Void
    ) {
        self.init(long: long, short: nil, help: help, defaultValue: [], takesValue: true) { command, values in
            field(&command, values)
            return true
        }
    }
}

/// What the readers of the command line need of an option, whatever its value's type.
protocol FilterOptionEntry: Sendable {
    var long: String { get }
    var short: Character? { get }
    var takesValue: Bool { get }
    var spellings: [String] { get }
    var apply: @Sendable (inout FilterCommand, [String]) -> Bool { get }
}

extension FilterOption: FilterOptionEntry {}

/// The filter's options, in the order `--help` lists them. A new option is
/// an entry here, a line in ``all`` and its `@Option` in ``FilterCommand``
/// (`FilterShortcutTests` fails until all three agree).
enum FilterOptions {
    static let output: FilterOption<String?> = FilterOption(
        "output", short: "o",
        help: ArgumentHelp(
            "Output file, or a directory (ending in /, or existing) for one file per input, mirroring input folders.",
            valueName: "PATH"), { $0.output = $1 })
    static let format: FilterOption<OutputFormatArgument> = FilterOption(
        "format", default: OutputFormatArgument(argument: "png")!,
        help: "Output format (see `ae-filter plugins`)."
    ) { $0.format = $1 }
    static let lines: FilterOption<Bool> = FilterOption(
        flag: "lines",
        help:
            "Lines mode: each input line is a base64 image, or KEY<TAB>base64; each output line is KEY<TAB>base64 of the output.",
        { $0.lines = $1 })
    static let filesFrom: FilterOption<String?> = FilterOption(
        "files-from",
        help: ArgumentHelp("Read more input paths from FILE (- for standard input), one per line.", valueName: "FILE"),
        { $0.filesFrom = $1 })
    static let null: FilterOption<Bool> = FilterOption(
        flag: "null", short: "0", help: "The --files-from list is NUL-separated (find -print0).",
        { $0.nulSeparated = $1 })
    static let skipExisting: FilterOption<Bool> = FilterOption(
        flag: "skip-existing", help: "With -o DIR, leave inputs whose output exists already (resumes a run).",
        { $0.skipExisting = $1 })
    static let summary: FilterOption<Bool> = FilterOption(
        flag: "summary", help: "Print the counts of processed, failed and skipped inputs on standard error at the end.",
        { $0.summary = $1 })
    static let quiet: FilterOption<Bool> = FilterOption(
        flag: "quiet", short: "q",
        help: "No progress line (shown on a terminal for runs longer than a second); errors are still reported.",
        { $0.quiet = $1 })
    static let onError: FilterOption<ErrorPolicy> = FilterOption(
        "on-error", default: ErrorPolicy.report,
        help: ArgumentHelp(
            "What a bad input does: report it (and write nothing in its place), write a blank placeholder image so "
                + "later images keep their positions, mark it in its --lines record and exit 0, or stop the run.",
            valueName: "report|placeholder|mark|stop"), { $0.onError = $1 })
    static let jobs: FilterOption<Int?> = FilterOption(
        "jobs", short: "j",
        help: ArgumentHelp(
            "Parallel workers (default: the number of cores; then a U-Net pass of one or two images also borrows a helper thread, which -j or --threads turns off).",
            valueName: "N"), { $0.jobs = $1 })
    static let batchSize: FilterOption<Int> = FilterOption(
        "batch-size", default: 256, help: ArgumentHelp("Images per forward pass.", valueName: "N"),
        { $0.batchSize = $1 })
    static let noise: FilterOption<Float> = FilterOption(
        "noise", default: Float(0),
        help: ArgumentHelp("Noise level: a probability, or sigma for gaussian. 0 adds none.", valueName: "P"),
        { $0.noise = $1 })
    static let noiseModel: FilterOption<String> = FilterOption(
        "noise-model", default: "dropout",
        help: ArgumentHelp("Noise model (see `ae-filter plugins`).", valueName: "NAME"), { $0.noiseModel = $1 })
    static let seed: FilterOption<UInt64?> = FilterOption(
        "seed", help: ArgumentHelp("Seed for reproducible noise; random if not given.", valueName: "N"),
        { $0.seed = $1 })
    static let model: FilterOption<String?> = FilterOption(
        "model",
        help: ArgumentHelp(
            "An embedded model (\(EmbeddedModels.names.joined(separator: ", "))) or a checkpoint file (safetensors); "
                + "default: with --noise, the noise model's own (blind for dropout, universal for a module's), "
                + "else \(EmbeddedModels.defaultName).", valueName: "NAME|FILE"), { $0.model = $1 })
    static let fit: FilterOption<Fit> = FilterOption(
        "fit", default: Fit.pad, help: "How other shapes become 28x28: keep the aspect and pad, stretch, or crop.",
        { $0.fit = $1 })
    static let invert: FilterOption<Invert> = FilterOption(
        "invert", default: Invert.auto, help: "Invert dark-on-light images; auto decides from the border pixels.",
        { $0.invert = $1 })
    static let emit: FilterOption<Emit> = FilterOption(
        "emit", default: Emit.denoised,
        help: "What to write: the denoised image, the noisy input, the input, or all three side by side.",
        { $0.emit = $1 })
    static let scale: FilterOption<Int> = FilterOption(
        "scale", default: 1, help: ArgumentHelp("Enlarge the output N times (nearest-neighbour).", valueName: "N"),
        { $0.scale = $1 })
    /// `--backend`, `--threads` and `--plugin` belong to ``ComputeOptions``, which train and eval share.
    static let backend: FilterOption<String> = FilterOption(
        "backend", default: "auto",
        help: ArgumentHelp("Compute backend: auto, or a name from `ae-filter plugins`.", valueName: "NAME"),
        { $0.compute.backend = $1 })
    static let threads: FilterOption<Int?> = FilterOption(
        "threads",
        help: ArgumentHelp(
            "Threads per compute call; train splits each step over them (default: the cores; for the filter 1 per worker, see --jobs).",
            valueName: "N"), { $0.compute.threads = $1 })
    static let plugin: FilterOption<[String]> = FilterOption(
        repeatable: "plugin",
        help: ArgumentHelp(
            "Load a plugin module (repeatable), besides those on AE_FILTER_PLUGIN_PATH and in PREFIX/lib/ae-filter/plugins.",
            valueName: "FILE"), { $0.compute.pluginFiles = $1 })
    static let maxPixels: FilterOption<Int> = FilterOption(
        "max-pixels", default: 64_000_000,
        help: ArgumentHelp("Reject images with more pixels than this.", valueName: "N"),
        { $0.maxPixels = $1 })

    /// Every option, for the readers that go by spelling.
    static let all: [any FilterOptionEntry] = [
        output, format, lines, filesFrom, null, skipExisting, summary, quiet, onError, jobs, batchSize, noise,
        noiseModel, seed, model, fit, invert, emit, scale, backend, threads, plugin, maxPixels,
    ]

    /// Every option by each of its spellings (`-o` and `--output`).
    static let bySpelling: [String: any FilterOptionEntry] = Dictionary(
        uniqueKeysWithValues: all.flatMap { option in option.spellings.map { ($0, option) } })
}
