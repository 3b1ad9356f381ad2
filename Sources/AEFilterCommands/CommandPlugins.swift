import AEFilter
import Synchronization

/// The plugins the commands of this process run with: the built-ins the
/// executable gives ``AEFilterCommand/main(plugins:)``, then the modules on the
/// search path and those named with `--plugin`, loaded once per process. A
/// module that cannot be used gets one line on standard error.
enum CommandPlugins {
    private static let state = Mutex(State())

    private struct State: Sendable {
        var builtIn = PluginSet.standard
        var loaded: [[String]: PluginSet] = [:]
    }

    /// The plugins compiled into the executable.
    static var builtIn: PluginSet {
        get { state.withLock { $0.builtIn } }
        set { state.withLock { $0 = State(builtIn: newValue) } }
    }

    static func set(files: [String] = []) -> PluginSet {
        state.withLock { state in
            if let plugins = state.loaded[files] { return plugins }
            let plugins = state.builtIn.forRun(files: files) { path, reason in
                Diagnostics.report("plugin \(path)", reason + "; skipped")
            }
            state.loaded[files] = plugins
            return plugins
        }
    }
}
