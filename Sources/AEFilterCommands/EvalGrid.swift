import AEFilter
import AEFilterCore
import AESystem
import AETraining
import ArgumentParser

/// `eval --grid`: every noise model and level of a grid, plus clean images,
/// each beside the noisy input and the 3×3 median, as a table, JSON and a plot.
extension EvalCommand {
    /// One cell: the noise (nil for clean images), the model used, its report.
    struct GridCell {
        let noiseModel: String?
        let level: Float
        let modelName: String
        let report: EvaluationReport

        /// The best of the noisy input and the median, where finite.
        var baseline: Double {
            let row = report.overall
            return [row.noisy.psnr, row.median.psnr].filter(\.isFinite).max() ?? -.infinity
        }
        var margin: Double { report.overall.model.psnr - baseline }
    }

    func runGrid() throws {
        let plugins = compute.plugins
        let grid = gridLevels.flatMap(NoiseGrid.init) ?? .standard
        // Every noise model and level is checked before anything is read.
        for row in grid.rows {
            guard plugins.noise.names.contains(row.noiseModel) else {
                let error = RegistryError.unknown(kind: "noise model", name: row.noiseModel, known: plugins.noise.names)
                throw ValidationError("--grid-levels: \(error)")
            }
            for level in row.levels where level > 0 {
                do { _ = try plugins.noise.make(row.noiseModel, level: level) } catch {
                    throw ValidationError("--grid-levels: \(error)")
                }
            }
        }
        // Without --model, what the filter would use: the specialist, or the default for clean images.
        func reference(for noiseModel: String?) -> String {
            model ?? noiseModel.map(EmbeddedModels.specialist) ?? EmbeddedModels.defaultName
        }
        var checkpoints: [String: Checkpoint] = [:]
        for name in [reference(for: nil)] + grid.rows.map({ reference(for: $0.noiseModel) })
        where checkpoints[name] == nil {
            let checkpoint = try loadModel(name, plugins: plugins)
            if let note = noiseProvenance(checkpoint, plugins: plugins) {
                Diagnostics.report(name, note + "; evaluating anyway")
            }
            checkpoints[name] = checkpoint
        }
        let dataset = try loadData(data, testOnly: true, use: "evaluating")
        let backend = try compute.makeBackend()
        let images = testImages(dataset)
        var cells: [GridCell] = []
        let plan: [(String?, Float)] =
            [(nil, 0)] + grid.rows.flatMap { row in row.levels.map { (Optional(row.noiseModel), $0) } }
        for (noiseModel, level) in plan {
            let name = reference(for: noiseModel)
            let checkpoint = checkpoints[name]!
            let noise = checkpoint.noiseAsSeen(
                try noiseModel.flatMap { level > 0 ? try plugins.noise.make($0, level: level) : nil })
            let report = try evaluate(
                checkpoint.model, backend: backend, images: images, noise: noise, level: level)
            cells.append(GridCell(noiseModel: noiseModel, level: level, modelName: name, report: report))
        }
        if let plot {
            let title = model.map { "ae-filter eval --grid --model \(Path.display($0))" } ?? "ae-filter eval --grid"
            let svg = GridPlot.svg(Self.series(cells), title: title)
            do { try AtomicFile.write(Array(svg.utf8), to: plot) } catch {
                Diagnostics.report(plot, error)
                throw ExitCode.failure
            }
        }
        print(json ? Self.gridJSON(cells) : Self.gridTable(cells))
    }

    /// One plot line per noise model, in the grid's order.
    static func series(_ cells: [GridCell]) -> [GridPlot.Series] {
        var names: [String] = []
        for cell in cells { if let name = cell.noiseModel, !names.contains(name) { names.append(name) } }
        return names.map { name in
            GridPlot.Series(
                name: name,
                points: cells.filter { $0.noiseModel == name }.map {
                    (Double("\($0.level)") ?? Double($0.level), $0.report.overall.model.psnr, $0.baseline)
                })
        }
    }

    static func gridTable(_ cells: [GridCell]) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(1, width - text.count))
        }
        let first = cells.first?.report
        var lines = [
            "test set: \(first?.overall.count ?? 0) images, averaged over \(first?.repeats ?? 0) noise draws; "
                + "margin: model PSNR minus the best of noisy and median",
            pad("noise", 13) + pad("level", 7) + pad("model", 13) + pad("PSNR", 8) + pad("SSIM", 7) + pad("noisy", 8)
                + pad("median", 8) + "margin",
        ]
        for cell in cells {
            let row = cell.report.overall
            let margin = cell.margin
            lines.append(
                pad(cell.noiseModel ?? "clean", 13) + pad("\(cell.level)", 7) + pad(Path.display(cell.modelName), 13)
                    + pad(format(row.model.psnr, 2), 8) + pad(format(row.model.ssim, 3), 7)
                    + pad(format(row.noisy.psnr, 2), 8) + pad(format(row.median.psnr, 2), 8)
                    + (margin >= 0 ? "+" : "") + format(margin, 2))
        }
        return lines.joined(separator: "\n")
    }

    static func gridJSON(_ cells: [GridCell]) -> String {
        let rows = cells.map { cell -> JSONOutput in
            let row = cell.report.overall
            return .object([
                ("noise_model", cell.noiseModel.map { .string($0) } ?? .null),
                ("noise", .number(Double("\(cell.level)") ?? Double(cell.level))),
                ("model_name", .string(cell.modelName)),
                ("count", .integer(row.count)), ("model", scores(row.model)), ("noisy", scores(row.noisy)),
                ("median3x3", scores(row.median)), ("margin_db", .number(cell.margin)),
            ])
        }
        return JSONOutput.object([("repeats", .integer(cells.first?.report.repeats ?? 0)), ("cells", .array(rows))])
            .text
    }
}
