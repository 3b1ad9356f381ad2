import AEFilterCore
import AEImageIO
import Glibc

/// One run of the filter: every input, through the pipeline, to a stream or
/// a folder. Inputs that fail are reported one by one and the run goes on;
/// a failure of the output itself ends it (``OutputError``, ``ReaderGone``).
public struct FilterRun {
    /// Files, folders and `-`, in order.
    public var inputs: [String]
    public var input = InputSettings()
    /// `-o`: a file or a directory; nil for standard output.
    public var output: String?
    public var format: OutputFormat = .png
    public var skipExisting = false
    public var workers = 1
    public var settings = FilterSettings()

    /// The counts a run ends with.
    public struct Counts: Sendable, Equatable {
        public var processed = 0
        public var failed = 0
        public var skipped = 0
    }

    /// A run over `inputs`; set the other fields before ``run(model:backend:shouldStop:report:)``.
    public init(inputs: [String]) {
        self.inputs = inputs
    }

    /// Whether `-o` names a directory: it ends in `/` or is one, or many
    /// PNGs could go nowhere else.
    public var writesToDirectory: Bool {
        guard let output else { return false }
        if FolderOutput.isDirectory(output) { return true }
        return !FolderWalk.isImageName(output) && writesManyPNGs
    }

    /// PNGs, one per input, for more than one input.
    public var writesManyPNGs: Bool {
        guard format == .png && !input.lines else { return false }
        var info = stat()
        return input.filesFrom != nil || inputs.count > 1
            || inputs.contains { stat($0, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR }
    }

    /// Runs `model` on `backend` over every input; `report` gets each
    /// failed input's label and error.
    public func run(
        model: Autoencoder, backend: any Backend, shouldStop: @escaping () -> Bool,
        report: (String, any Error) -> Void
    ) throws -> Counts {
        var settings = self.settings
        settings.format = input.lines && format == .png ? .png : format
        let pipeline = FilterPipeline.make(model: model, backend: backend, settings: settings)
        let folder =
            try writesToDirectory
            ? FolderOutput(directory: output!, format: format, skipExisting: skipExisting) : nil
        let widths = settings.emit == .triptych ? 3 : 1
        let stream =
            try folder == nil
            ? StreamOutput(
                channel: output.map(OutputChannel.file) ?? .standardOutput(),
                mode: input.lines ? .lines : .images(format), single: output != nil && format == .png && !input.lines,
                imageSize: (Geometry.side * settings.scale * widths, Geometry.side * settings.scale))
            : nil
        let inputCounts = InputCounts()
        let source = FilterInputs(
            arguments: inputs, settings: input, excluding: folder?.directory, counts: inputCounts,
            shouldStop: shouldStop, admit: { folder?.admit($0) ?? .process })

        var counts = Counts()
        func failed(_ outcome: Outcome, _ error: any Error) {
            report(outcome.origin.label, error)
            counts.failed += 1
        }
        var delivered = 0
        let runner = OrderedRunner(stage: pipeline, workers: workers, batchSize: settings.maxBatch)
        try runner.run(
            source: source,
            finish: { origin, result in
                guard let folder else { return Outcome(origin: origin, result: result) }
                // Folder outputs are written here, on the workers.
                return Outcome(
                    origin: origin,
                    result: result.flatMap { bytes in
                        Result {
                            try folder.store(bytes, for: origin)
                            return []
                        }
                    })
            },
            deliver: { batch in
                delivered += batch.count
                if let stream {
                    try stream.write(batch, report: failed)
                } else {
                    for case (let outcome, .failure(let error)) in batch.map({ ($0, $0.result) }) {
                        failed(outcome, error)
                    }
                }
            })
        try stream?.finish()
        counts.processed = delivered - counts.failed
        counts.skipped = inputCounts.skipped
        return counts
    }
}
