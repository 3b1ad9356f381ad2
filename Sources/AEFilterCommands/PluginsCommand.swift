import AEFilter
import AEFilterCore
import AESystem
import ArgumentParser

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract:
            "List the noise models, compute backends and output formats, built in and loaded; check a plugin module.",
        discussion: """
            Modules are loaded from the folders on AE_FILTER_PLUGIN_PATH (colon-separated), then from \
            PREFIX/lib/ae-filter/plugins beside the installed binary, then from each --plugin FILE. \
            --check FILE loads that module alone and runs the conformance checks the built-in plugins \
            pass; it exits 1 when any fails.
            """
    )

    @Option(
        name: .customLong("plugin"), help: ArgumentHelp("Load a plugin module too (repeatable).", valueName: "FILE"))
    var pluginFiles: [String] = []

    @Option(help: ArgumentHelp("Check the plugins of this module and print a report.", valueName: "FILE"))
    var check: String?

    func run() throws {
        if let check { return try self.check(check) }
        let plugins = CommandPlugins.withModules(pluginFiles)
        print("Noise models (--noise-model NAME --noise LEVEL):")
        for entry in plugins.noise.entries {
            let levels = "\(entry.levelMeaning) \(Self.format(entry.levels))"
            print("  \(padded(entry.name)) \(entry.summary); level: \(levels)")
            print("  \(padded("")) \(Path.display(entry.origin.description))")
        }
        print(
            "Backends (--backend NAME; auto: the first listed for training, the first with independent rows for the filter):"
        )
        for entry in plugins.backends.entries.sorted(by: { $0.priority > $1.priority }) {
            let rows = entry.rowsAreIndependent ? "; rows independent" : ""
            print("  \(padded(entry.name)) \(entry.summary); priority \(entry.priority)\(rows)")
            print("  \(padded("")) \(Path.display(entry.origin.description))")
        }
        print("Output formats (--format NAME):")
        for entry in plugins.formats.entries {
            print("  \(padded(entry.name)) \(entry.summary); \(Self.describe(entry.format.layout))")
            print("  \(padded("")) \(Path.display(entry.origin.description))")
        }
    }

    /// Loads `file` alone (with the built-ins) and runs the conformance checks on its plugins.
    func check(_ file: String) throws {
        var failures = 0
        // The module alone beside the built-ins: not the search path, where a copy of it may be installed.
        var loaded = CommandPlugins.builtIn
        var refused: String?
        PluginModules.load([file], into: &loaded) { _, reason in refused = reason }
        if let refused {
            print("\(Path.display(file)): FAILED: \(refused)")
            throw ExitCode.failure
        }
        func fromModule(_ origin: PluginOrigin) -> Bool { origin != .builtIn }
        for entry in loaded.noise.entries where fromModule(entry.origin) {
            let problems = NoiseModelConformance.problems(name: entry.name, levels: entry.levels, make: entry.make)
            failures += report("noise model \(entry.name)", problems)
        }
        for entry in loaded.backends.entries where fromModule(entry.origin) {
            var problems: [String]
            do {
                let backend = try entry.make(2)
                problems = BackendConformance.problems(backend)
                if entry.rowsAreIndependent {
                    problems += try BackendConformance.rowIndependenceProblems(entry.make)
                }
            } catch {
                problems = ["cannot be made: \(error)"]
            }
            failures += report("backend \(entry.name)", problems)
        }
        print(failures == 0 ? "\(Path.display(file)): passed" : "\(Path.display(file)): FAILED (\(failures))")
        if failures > 0 { throw ExitCode.failure }
    }

    func report(_ what: String, _ problems: [String]) -> Int {
        print("\(what): \(problems.isEmpty ? "passed" : "FAILED")")
        for problem in problems { print("  \(Path.sanitized(problem))") }
        return problems.count
    }

    static func describe(_ layout: OutputLayout) -> String {
        switch layout {
        case .filePerImage: return "a file per image"
        case .stream: return "a stream"
        case .oneFile: return "one file with a counting header"
        }
    }

    static func format(_ levels: ClosedRange<Float>) -> String {
        levels.upperBound >= 1e30 ? "\(levels.lowerBound) or more" : "\(levels.lowerBound) to \(levels.upperBound)"
    }

    func padded(_ name: String) -> String {
        name + String(repeating: " ", count: max(1, 12 - name.count))
    }
}
