import AEFilter

/// The plugin set every command of this process runs with, given to
/// ``AEFilterCommand/main(plugins:)`` by the executable.
enum CommandPlugins {
    nonisolated(unsafe) static var current = PluginSet.standard
}
