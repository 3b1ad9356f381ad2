import AEFilter
import Glibc
import Synchronization

/// The plugins the commands of this process run with: the built-ins the
/// executable gives ``AEFilterCommand/main(plugins:)``, then the modules on the
/// search path and those named with `--plugin`, loaded once per process. A
/// module found on the search path that cannot be used gets one line on
/// standard error and is skipped; one named with `--plugin` ends the command
/// with status 1 before any work, since the user asked for it.
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

    /// The built-ins with every module on the search path and `files`
    /// (`--plugin`) loaded into them; loaded once per list of files.
    static func withModules(_ files: [String] = []) -> PluginSet {
        state.withLock { state in
            if let plugins = state.loaded[files] { return plugins }
            var failed = false
            let plugins = state.builtIn.forRun(files: files) { path, reason in
                let named = files.contains(path)
                failed = failed || named
                Diagnostics.report("plugin \(path)", reason + (named ? "" : "; skipped"))
            }
            if failed { exit(1) }
            state.loaded[files] = plugins
            return plugins
        }
    }
}
