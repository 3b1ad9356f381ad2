import AEFilter
import ArgumentParser

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the registered noise models and compute backends."
    )

    func run() {
        let plugins = CommandPlugins.current
        print("Noise models (--noise-model):")
        for entry in plugins.noise.entries {
            print("  \(padded(entry.name)) \(entry.summary)")
        }
        print("Backends (--backend; auto picks the first listed):")
        for entry in plugins.backends.entries.sorted(by: { $0.priority > $1.priority }) {
            print("  \(padded(entry.name)) \(entry.summary)")
        }
    }

    func padded(_ name: String) -> String {
        name + String(repeating: " ", count: max(1, 12 - name.count))
    }
}
