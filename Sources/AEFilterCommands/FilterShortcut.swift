import AEFilter
import AEFilterCore
import AEImageIO
import ArgumentParser

/// The filter's command line read without building the parser's tree: a
/// one-image run spent half its instructions in swift-argument-parser
/// (reflection over every option of every command). It knows the filter's
/// options and nothing else; any other word, a repeated option, a value it
/// cannot read or a failed validation gives `nil`, and the full parser then
/// reads the line and words the error. `FilterShortcutTests` checks that it
/// builds exactly what the parser builds, field by field.
package enum FilterShortcut {
    /// Options that take a value, by every spelling.
    package static let valued: [String: String] = [
        "-o": "output", "--output": "output", "--format": "format", "--files-from": "files-from",
        "--on-error": "on-error", "-j": "jobs", "--jobs": "jobs", "--batch-size": "batch-size", "--noise": "noise",
        "--noise-model": "noise-model", "--seed": "seed", "--model": "model", "--fit": "fit", "--invert": "invert",
        "--emit": "emit", "--scale": "scale", "--max-pixels": "max-pixels", "--backend": "backend",
        "--threads": "threads", "--plugin": "plugin",
    ]

    /// Flags, by every spelling.
    package static let flags: [String: String] = [
        "--lines": "lines", "-0": "null", "--null": "null", "--skip-existing": "skip-existing",
        "--summary": "summary", "-q": "quiet", "--quiet": "quiet",
    ]

    /// The validated filter `arguments` describe, or nil when the full parser must read them.
    static func parse(_ arguments: [String]) -> Filter? {
        guard let filter = read(arguments) else { return nil }
        do {
            try filter.compute.validate()
            try filter.validate()
        } catch {
            return nil
        }
        return filter
    }

    /// The filter `arguments` describe, before validation.
    static func read(_ arguments: [String]) -> Filter? {
        if let first = arguments.first, CommandLineArguments.commands.contains(first) { return nil }
        var values: [String: String] = [:]
        var plugins: [String] = []
        var set: Set<String> = []
        var files: [String] = []
        var index = 0
        var afterDashes = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if afterDashes || argument == "-" || !argument.hasPrefix("-") {
                files.append(argument)
                continue
            }
            if argument == "--" {
                afterDashes = true
                continue
            }
            if let flag = flags[argument] {
                guard set.insert(flag).inserted else { return nil }
                continue
            }
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard let key = valued[name] else { return nil }
            if value == nil {
                guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                value = arguments[index]
                index += 1
            }
            guard let value, !value.isEmpty else { return nil }
            if key == "plugin" {
                plugins.append(value)
            } else {
                guard values.updateValue(value, forKey: key) == nil else { return nil }
            }
        }
        return build(files: files, values: values, flags: set, plugins: plugins)
    }

    /// For tests: the parser's description of the filter's options (JSON).
    package static var parserDescription: String { Filter._dumpHelp() }

    /// For tests: every field of what the shortcut and the parser make of
    /// `arguments` (validated), as text; nil where one declines or fails.
    package static func comparison(_ arguments: [String]) -> (shortcut: String?, parser: String?) {
        let parsed = (try? AEFilterCommand.parseAsRoot(arguments)).flatMap { $0 as? Filter }
        return (parse(arguments).map { String(reflecting: $0) }, parsed.map { String(reflecting: $0) })
    }

    /// Every field of a ``Filter`` set, as the parser would; nil when a value does not read.
    static func build(files: [String], values: [String: String], flags: Set<String>, plugins: [String]) -> Filter? {
        func number<T: LosslessStringConvertible>(_ key: String, _ fallback: T) -> T? {
            guard let text = values[key] else { return fallback }
            return T(text)
        }
        func optionalNumber<T: LosslessStringConvertible>(_ key: String) -> T?? {
            guard let text = values[key] else { return .some(nil) }
            return T(text).map { .some($0) }
        }
        func choice<T: RawRepresentable>(_ key: String, _ fallback: T) -> T? where T.RawValue == String {
            guard let text = values[key] else { return fallback }
            return T(rawValue: text)
        }
        guard let format = choice("format", OutputFormat.png), let onError = choice("on-error", ErrorPolicy.report),
            let fit = choice("fit", Fit.pad), let invert = choice("invert", Invert.auto),
            let emit = choice("emit", Emit.denoised), let jobs: Int? = optionalNumber("jobs"),
            let batchSize = number("batch-size", 256), let noise = number("noise", Float(0)),
            let seed: UInt64? = optionalNumber("seed"), let scale = number("scale", 1),
            let maxPixels = number("max-pixels", 64_000_000), let threads: Int? = optionalNumber("threads")
        else { return nil }
        var compute = ComputeOptions()
        compute.backend = values["backend"] ?? "auto"
        compute.threads = threads
        compute.pluginFiles = plugins
        var filter = Filter()
        filter.files = files
        filter.output = values["output"]
        filter.format = format
        filter.lines = flags.contains("lines")
        filter.filesFrom = values["files-from"]
        filter.nulSeparated = flags.contains("null")
        filter.skipExisting = flags.contains("skip-existing")
        filter.summary = flags.contains("summary")
        filter.quiet = flags.contains("quiet")
        filter.onError = onError
        filter.jobs = jobs
        filter.batchSize = batchSize
        filter.noise = noise
        filter.noiseModel = values["noise-model"] ?? "dropout"
        filter.seed = seed
        filter.model = values["model"]
        filter.fit = fit
        filter.invert = invert
        filter.emit = emit
        filter.scale = scale
        filter.compute = compute
        filter.maxPixels = maxPixels
        return filter
    }
}
