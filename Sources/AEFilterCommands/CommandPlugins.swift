import AEFilter

/// The plugins the commands of this process run with: the built-ins the
/// executable gives ``AEFilterCommand/main(plugins:)``, then the modules on the
/// search path and those named with `--plugin`, loaded once per process. A
/// module that cannot be used gets one line on standard error.
enum CommandPlugins {
    nonisolated(unsafe) static var builtIn = PluginSet.standard
    nonisolated(unsafe) private static var loaded: [[String]: PluginSet] = [:]

    static func set(files: [String] = []) -> PluginSet {
        if let plugins = loaded[files] { return plugins }
        let plugins = builtIn.forRun(files: files) { path, reason in
            Diagnostics.report("plugin \(path)", reason + "; skipped")
        }
        loaded[files] = plugins
        return plugins
    }
}
