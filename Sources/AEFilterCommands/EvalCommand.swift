import AEData
import AEFilter
import AEFilterCore
import AESystem
import AETraining
import ArgumentParser
import Glibc

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a model on the Fashion-MNIST test set, beside the baselines.",
        discussion: """
            Reports per-pixel MSE, PSNR and SSIM, overall and per class, for the model's output, \
            for the noisy input as it looks (dropout without its 1/(1-P) scaling) and for a 3x3 \
            median filter of it, averaged over --repeats noise draws. With --levels, one row per \
            noise level instead (a blind model's range, say). With --grid, one row per noise model \
            and level of a grid, and one for clean images; without --model each row uses the model \
            the filter would: the noise model's specialist, or the default for clean images.
            """
    )

    @Option(
        help: ArgumentHelp(
            "An embedded model (\(EmbeddedModels.names.joined(separator: ", "))) or a checkpoint file; default: "
                + "with --noise-model, that noise model's own, else \(EmbeddedModels.defaultName).",
            valueName: "NAME|FILE"))
    var model: String?

    @Option(
        help: ArgumentHelp(
            "Directory with the Fashion-MNIST files (default: $AE_FILTER_DATA, else ~/.cache/ae-filter/fashion-mnist).",
            valueName: "DIR"))
    var data: String?

    @Option(help: ArgumentHelp("Noise level (default: the model's training noise, else 0.5).", valueName: "P"))
    var noise: Float?

    @Option(
        help: ArgumentHelp("Noise model (default: the model's training noise model, else dropout).", valueName: "NAME"))
    var noiseModel: String?

    @Option(
        help: ArgumentHelp(
            "Noise levels, comma-separated (e.g. 0,0.1,0.3,0.5,0.7): one row each, overall.", valueName: "P,P,..."))
    var levels: String?

    @Flag(
        help: ArgumentHelp(
            "Every built-in noise model at its grid levels, and clean images: one row each (see --grid-levels)."))
    var grid = false

    @Option(
        help: ArgumentHelp(
            "The grid instead of the built-in one, e.g. 'poisson=100,20,5;gaussian=0.1' (implies --grid).",
            valueName: "NAME=L,L,...;..."))
    var gridLevels: String?

    @Option(help: ArgumentHelp("With --grid: write PSNR against level as an SVG plot to FILE.", valueName: "FILE"))
    var plot: String?

    @Option(help: ArgumentHelp("Noise draws to average over.", valueName: "N"))
    var repeats: Int = 3

    @Option(
        help: ArgumentHelp("Only the first N test images: a quick look, not the test set's figures.", valueName: "N"))
    var limit: Int?

    @Option(help: ArgumentHelp("Seed of the first noise draw.", valueName: "N"))
    var seed: UInt64 = 0

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be between 1 and 100") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let noise, !(noise >= 0 && noise.isFinite) { throw ValidationError("--noise must be 0 or more") }
        if let levels {
            guard noise == nil else { throw ValidationError("give --noise or --levels, not both") }
            guard Self.levels(levels) != nil else {
                throw ValidationError("--levels must be numbers of 0 or more separated by commas, got \(levels)")
            }
        }
        if let gridLevels, NoiseGrid(gridLevels) == nil {
            throw ValidationError(
                "--grid-levels must be NAME=L,L,... rows separated by ';' (levels 0 or more, each name once), got \(gridLevels)"
            )
        }
        if isGrid, noise != nil || levels != nil || noiseModel != nil {
            throw ValidationError("--grid sets the noise models and levels; drop --noise, --levels and --noise-model")
        }
        if plot != nil, !isGrid { throw ValidationError("--plot draws the grid; give --grid too") }
        if plot == "" { throw ValidationError("--plot needs a file name") }
        let plugins = compute.plugins
        if let noiseModel, !plugins.noise.names.contains(noiseModel) {
            throw ValidationError(
                "--noise-model: \(RegistryError.unknown(kind: "noise model", name: noiseModel, known: plugins.noise.names))"
            )
        }
    }

    var isGrid: Bool { grid || gridLevels != nil }

    /// The report of `model` at one noise level; a stop, a noise model's
    /// fault or an output that is not finite ends the command instead.
    func evaluate(
        _ model: any DenoisingModel, backend: any Backend, images: ImageSet, noise: (any NoiseModel)?, level: Float
    ) throws -> EvaluationReport {
        let report = EvaluationReport(
            model: model, backend: backend, images: images, noise: noise, seed: seed, repeats: repeats,
            shouldStop: StopSignal.requested)
        if let stop = StopSignal.exitStatus { throw ExitCode(stop) }
        if let fault = report.noiseFault {
            Diagnostics.report("eval", "\(fault) at level \(level); no figures are printed")
            throw ExitCode.failure
        }
        if report.outputIsNotFinite {
            Diagnostics.report("eval", "\(backend.nonFiniteOutput); no figures are printed")
            throw ExitCode.failure
        }
        return report
    }

    /// The test set, or its first --limit images.
    func testImages(_ dataset: FashionMNIST) -> ImageSet { limit.map { dataset.test.prefix($0) } ?? dataset.test }

    func run() throws {
        if isGrid { return try runGrid() }
        let plugins = compute.plugins
        // Without --model, the model the filter would use for this noise.
        let reference = model ?? noiseModel.map(EmbeddedModels.specialist)
        let checkpoint = try loadModel(reference, plugins: compute.plugins)
        let modelName = reference ?? "default model"
        // The noise comes from the options, else from the checkpoint's metadata,
        // which is checked like an option and blamed by its key.
        let recordedModel = noiseModel == nil ? checkpoint.metadata[.noiseModel] : nil
        let name = noiseModel ?? recordedModel ?? "dropout"
        if recordedModel != nil, !plugins.noise.names.contains(name) {
            Diagnostics.report(
                modelName, "metadata noise_model '\(name)' is not a loaded noise model: give --noise-model")
            throw ExitCode.failure
        }
        if let note = noiseProvenance(checkpoint, plugins: plugins) {
            Diagnostics.report(modelName, note + "; evaluating anyway")
        }
        let recordedLevel = noise == nil && levels == nil ? checkpoint.metadata[.noise] : nil
        func makeNoise(at level: Float) throws -> (any NoiseModel)? {
            do { return checkpoint.noiseAsSeen(level > 0 ? try plugins.noise.make(name, level: level) : nil) } catch {
                if let recordedLevel {
                    Diagnostics.report(
                        modelName,
                        "metadata noise '\(recordedLevel)' is not a level of the \(name) noise model (\(error)): "
                            + "give --noise or --levels")
                    throw ExitCode.failure
                }
                let option = levels == nil ? "--noise" : "--levels"
                // The level is the user's; the noise model may be the checkpoint's.
                let source =
                    recordedModel != nil
                    ? "\(option) (for the noise model the checkpoint names)" : "--noise-model/\(option)"
                throw ValidationError("\(source): \(error)")
            }
        }
        // Every level is checked before the test set is read.
        let levels = levels.flatMap(Self.levels)
        var level = noise ?? 0.5
        if let recordedLevel {
            guard let value = Float(recordedLevel), value.isFinite, value >= 0 else {
                Diagnostics.report(
                    modelName,
                    "metadata noise '\(recordedLevel)' is not a noise level (0 or more): give --noise or --levels")
                throw ExitCode.failure
            }
            level = value
        }
        for level in levels ?? [level] { _ = try makeNoise(at: level) }
        let dataset = try loadData(data, testOnly: true, use: "evaluating")
        let backend = try compute.makeBackend()
        func report(at level: Float) throws -> EvaluationReport {
            try evaluate(
                checkpoint.model, backend: backend, images: testImages(dataset), noise: try makeNoise(at: level),
                level: level)
        }
        if let levels {
            let reports = try levels.map { (level: $0, report: try report(at: $0)) }
            print(json ? Self.json(reports, noise: name) : Self.table(reports, noise: name))
            return
        }
        let single = try report(at: level)
        print(json ? Self.json(single, noise: name, level: level) : Self.table(single, noise: name, level: level))
    }

    /// `0,0.1,0.5` as levels; nil unless every one is a finite number of 0 or more.
    static func levels(_ text: String) -> [Float]? {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Float(String($0.filter { $0 != " " }))
        }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! >= 0 && $0!.isFinite }) else { return nil }
        return values.map { $0! }
    }

    /// One row per level: the overall scores of the model and the baselines.
    static func table(_ reports: [(level: Float, report: EvaluationReport)], noise: String) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(1, width - text.count))
        }
        let count = reports.first?.report.overall.count ?? 0
        let repeats = reports.first?.report.repeats ?? 0
        var lines = [
            "test set: \(count) images, \(noise) noise, averaged over \(repeats) noise draws",
            pad("level", 8) + pad("model PSNR", 12) + pad("SSIM", 8) + pad("noisy PSNR", 12) + pad("SSIM", 8)
                + pad("median PSNR", 13) + "SSIM",
        ]
        for (level, report) in reports {
            let row = report.overall
            lines.append(
                pad("\(level)", 8) + pad(format(row.model.psnr, 2), 12) + pad(format(row.model.ssim, 3), 8)
                    + pad(format(row.noisy.psnr, 2), 12) + pad(format(row.noisy.ssim, 3), 8)
                    + pad(format(row.median.psnr, 2), 13) + format(row.median.ssim, 3))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ reports: [(level: Float, report: EvaluationReport)], noise: String) -> String {
        let rows = reports.map { level, report -> JSONOutput in
            let row = report.overall
            return .object([
                ("noise", .number(Double("\(level)") ?? Double(level))), ("count", .integer(row.count)),
                ("model", scores(row.model)),
                ("noisy", scores(row.noisy)), ("median3x3", scores(row.median)),
            ])
        }
        return JSONOutput.object([
            ("noise_model", .string(noise)), ("repeats", .integer(reports.first?.report.repeats ?? 0)),
            ("levels", .array(rows)),
        ]).text
    }

    static func scores(_ s: EvaluationReport.Scores) -> JSONOutput {
        .object([("mse", .number(s.mse)), ("psnr", .number(s.psnr)), ("ssim", .number(s.ssim))])
    }

    static func className(_ label: Int?) -> String {
        guard let label else { return "all" }
        return label < ImageSet.classNames.count ? ImageSet.classNames[label] : "class \(label)"
    }

    static func table(_ report: EvaluationReport, noise: String, level: Float) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(1, width - text.count))
        }
        var lines = [
            "test set: \(report.overall.count) images, \(noise) noise \(level), averaged over \(report.repeats) noise draws",
            pad("class", 12) + pad("model PSNR", 12) + pad("SSIM", 8) + pad("MSE", 10) + pad("noisy PSNR", 12)
                + pad("SSIM", 8)
                + pad("median PSNR", 13) + "SSIM",
        ]
        for row in report.rows {
            lines.append(
                pad(className(row.label), 12) + pad(format(row.model.psnr, 2), 12) + pad(format(row.model.ssim, 3), 8)
                    + pad(format(row.model.mse, 5), 10) + pad(format(row.noisy.psnr, 2), 12)
                    + pad(format(row.noisy.ssim, 3), 8)
                    + pad(format(row.median.psnr, 2), 13) + format(row.median.ssim, 3))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: EvaluationReport, noise: String, level: Float) -> String {
        let rows = report.rows.map { row -> JSONOutput in
            .object([
                ("class", .string(className(row.label))), ("count", .integer(row.count)), ("model", scores(row.model)),
                ("noisy", scores(row.noisy)), ("median3x3", scores(row.median)),
            ])
        }
        return JSONOutput.object([
            ("noise_model", .string(noise)), ("noise", .number(level)), ("repeats", .integer(report.repeats)),
            ("rows", .array(rows)),
        ]).text
    }
}
