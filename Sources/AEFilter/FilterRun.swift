import AEFilterCore
import AEImageIO
import AESystem
import Glibc
import OutputFormats

/// One run of the filter: every input, through the pipeline, to a stream or
/// a folder. Inputs that fail are reported one by one and the run goes on;
/// a failure of the output itself ends it (``OutputError``, ``ReaderGone``).
///
/// A run chooses its sink (``sink(namedInputs:)``), refuses an output that is
/// one of its inputs (``checkIdentities(folder:namedInputs:)``), then runs
/// (``run(model:backend:shouldStop:report:)``).
public struct FilterRun {
    /// Files, folders and `-`, in order.
    public var inputs: [String]
    public var input = InputSettings()
    /// `-o`: a file or a directory; nil for standard output.
    public var output: String?
    /// `--format`, from the plugins' ``OutputFormatRegistry``.
    public var format: any OutputFormat = PNGFormat()
    public var skipExisting = false
    /// What a bad input does (`--on-error`).
    public var onError = ErrorPolicy.report
    public var workers = 1
    public var settings = FilterSettings()
    /// Called on the delivering thread with the number of inputs done so far.
    public var progress: ((Int) -> Void)?

    /// The counts a run ends with.
    public struct Counts: Sendable, Equatable {
        public var processed = 0
        public var failed = 0
        public var skipped = 0
        /// The run ended at its first bad input (``ErrorPolicy/stop``).
        public var stopped = false
    }

    /// A run over `inputs`; set the other fields before ``run(model:backend:shouldStop:report:)``.
    public init(inputs: [String]) {
        self.inputs = inputs
    }

    /// Whether `-o` names a directory: it ends in `/` or is one, or many
    /// files could go nowhere else.
    public var writesToDirectory: Bool {
        guard let output else { return false }
        if FolderOutput.isDirectory(output) { return true }
        return !FolderWalk.isImageName(output) && writesManyFiles
    }

    /// Files, one per input (a ``OutputLayout/filePerImage`` format), for more than one input.
    public var writesManyFiles: Bool {
        guard format.layout == .filePerImage && !input.lines else { return false }
        return input.filesFrom != nil || inputs.count > 1 || inputs.contains { Path.isDirectory($0) }
    }

    /// Refuses `-o DIR` where DIR is also an input (the same folder by device
    /// and inode, whatever the paths): its outputs would land among its
    /// inputs. The command asks before the run, for a usage error; ``run(model:backend:shouldStop:report:)``
    /// asks again once the folder exists.
    public func refuseOutputFolderAmongInputs() throws {
        guard writesToDirectory, let output, let folder = FileIdentity(path: output),
            inputs.contains(where: { $0 != "-" && FileIdentity(path: $0) == folder })
        else { return }
        throw OutputError(
            description: "-o \(Path.display(output)) is also an input folder: its outputs would land among its "
                + "inputs; write to another folder")
    }

    /// Where the outputs go: a folder for `-o DIR`, else a stream on `-o FILE`
    /// or standard output, made once no output is one of the inputs.
    func sink(namedInputs: Set<FileIdentity>) throws -> OutputSink {
        let folder =
            try writesToDirectory
            ? FolderOutput(directory: output!, format: format, skipExisting: skipExisting, namedInputs: namedInputs)
            : nil
        try checkIdentities(folder: folder, namedInputs: namedInputs)
        if let folder { return .folder(folder) }
        let widths = settings.emit == .triptych ? 3 : 1
        return .stream(
            try StreamOutput(
                channel: output.map(OutputChannel.file) ?? .standardOutput(), format: format,
                mode: input.lines ? .lines : .images,
                single: output != nil && format.layout == .filePerImage && !input.lines,
                imageSize: (Geometry.side * settings.scale * widths, Geometry.side * settings.scale)))
    }

    /// Refuses an output that is one of the inputs: `-o DIR` given as an
    /// input folder, or standard output reading as a named input or as
    /// standard input (written from the first image on, before any input could be found to be it).
    func checkIdentities(folder: FolderOutput?, namedInputs: Set<FileIdentity>) throws {
        try refuseOutputFolderAmongInputs()
        guard folder == nil, output == nil || output == "-" else { return }
        var read = namedInputs
        if inputs.isEmpty || inputs.contains("-"), let identity = FileIdentity(fd: STDIN_FILENO) {
            read.insert(identity)
        }
        if !OutputChannel.identities(of: output).isDisjoint(with: read) {
            throw OutputError(
                description: "standard output is one of the inputs; writing it would destroy what is being read")
        }
    }

    /// Runs `model` on `backend` over every input; `report` gets each
    /// failed input's label and error.
    public func run(
        model: any DenoisingModel, backend: any Backend, shouldStop: @escaping @Sendable () -> Bool,
        report: (String, any Error) -> Void
    ) throws -> Counts {
        var settings = self.settings
        settings.format = format
        let pipeline = FilterPipeline.make(model: model, backend: backend, settings: settings)
        // Named files, which no output may replace.
        let namedInputs = Set(inputs.filter { $0 != "-" }.compactMap { FileIdentity(path: $0) })
        let sink = try sink(namedInputs: namedInputs)
        let folder = sink.folder
        let inputCounts = InputCounts()
        let source = FilterInputs(
            arguments: inputs, settings: input, excluding: folder?.directory,
            protecting: folder == nil ? OutputChannel.identities(of: output) : [], counts: inputCounts,
            shouldStop: shouldStop, admit: { folder?.admit($0) ?? .process })

        var counts = Counts()
        var delivered = 0
        let progress = self.progress
        let policy = onError
        let onWorker = sink.onWorker(policy: policy)
        var runner = OrderedRunner(stage: pipeline, workers: workers, batchSize: settings.maxBatch)
        // Images read from a stream are held until their batch is done: 8 MiB a batch.
        runner.maxBatchWeight = 8 << 20
        var stopped = false
        do {
            try runner.run(
                source: source,
                finish: { origin, result in onWorker(Outcome(origin: origin, result: result)) },
                deliver: { batch in
                    defer { progress?(delivered + inputCounts.skipped) }
                    try sink.deliver(batch, policy: policy, delivered: &delivered) { outcome, error in
                        report(outcome.origin.label, error)
                        counts.failed += 1
                    }
                },
                shouldStop: shouldStop,
                // After a stop, images already read are finished; files not yet opened are left.
                keepWhenStopping: { record in
                    if case .bytes = record.payload { return true }
                    return false
                },
                weight: { record in
                    if case .bytes(let bytes) = record.payload { return bytes.count }
                    return 0
                })
        } catch is StoppedAtError {
            // The first bad input ended the run; what came before it is kept.
            stopped = true
        }
        try sink.finish()
        counts.processed = delivered - counts.failed
        counts.stopped = stopped
        counts.skipped = inputCounts.skipped
        return counts
    }
}
