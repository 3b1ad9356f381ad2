import AEFilter
import AEFilterCore
import Foundation

extension Fixtures {
    /// Where a binary built here finds its plugin modules: `lib/ae-filter/plugins`
    /// under the build folder, as `scripts/build-modules` puts them.
    public static let modulesFolder: String = {
        let binary = URL(fileURLWithPath: CLI.binary).resolvingSymlinksInPath()
        return binary.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("lib/ae-filter/plugins").path
    }()

    /// The OpenBLAS module, built first if it is missing.
    public static let openBLASModule: String = {
        let module = "\(modulesFolder)/ae-filter-openblas.so"
        _ = try? CLI.run(
            executable: "/bin/bash", [root.appendingPathComponent("scripts/build-modules").path, modulesFolder])
        return module
    }()

    /// What ae-filter runs with: the built-ins and the modules that ship with it.
    public static let plugins: PluginSet = {
        var plugins = PluginSet.standard
        PluginModules.load([openBLASModule], into: &plugins) { path, reason in
            print("cannot load \(path): \(reason)")
        }
        return plugins
    }()
}
