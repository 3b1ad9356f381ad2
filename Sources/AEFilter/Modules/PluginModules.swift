import AEFilterCore
import AESystem
import CAEPluginHost
import Glibc

/// Plugin modules: shared libraries that register noise models and backends
/// through the C contract in `Plugins/include/ae_filter_plugin.h`, found on
/// `$AE_FILTER_PLUGIN_PATH`, then in `PREFIX/lib/ae-filter/plugins` beside the
/// installed binary, or named with `--plugin FILE`.
///
/// A module is never loaded from the current directory, nor when it or its
/// folder can be written by another user. A module that is refused or broken
/// costs one line (``Report``) and is skipped whole; everything else goes on.
public enum PluginModules {
    /// One problem with a module: its path and why it was skipped.
    public typealias Report = (_ path: String, _ reason: String) -> Void

    /// The folders searched, in order: `AE_FILTER_PLUGIN_PATH`'s entries,
    /// then the installed folder; none when `AE_FILTER_NO_MODULES` is set to
    /// anything but empty or `0`. Entries that are not absolute are refused.
    public static func searchFolders(report: Report) -> [String] {
        var folders: [String] = []
        if let off = getenv("AE_FILTER_NO_MODULES"), !["", "0"].contains(String(cString: off)) { return [] }
        if let value = getenv("AE_FILTER_PLUGIN_PATH") {
            let text = Path.string(cString: value)
            for entry in text.split(separator: ":", omittingEmptySubsequences: false).map(String.init) {
                guard entry.hasPrefix("/") else {
                    report(
                        "AE_FILTER_PLUGIN_PATH entry '\(entry)'",
                        "not an absolute path, which would load modules from wherever ae-filter runs")
                    continue
                }
                folders.append(entry)
            }
        }
        if let installed = installedFolder { folders.append(installed) }
        return folders
    }

    /// `PREFIX/lib/ae-filter/plugins` for the running binary `PREFIX/bin/ae-filter`.
    public static var installedFolder: String? {
        guard let binary = realPath("/proc/self/exe") else { return nil }
        let prefix = Path.directory(of: Path.directory(of: binary))
        return (prefix == "/" ? "" : prefix) + "/lib/ae-filter/plugins"
    }

    /// The module files in the search folders (`*.so`, in byte order), then `files`.
    public static func candidates(files: [String], report: Report) -> [String] {
        var found: [String] = []
        for folder in searchFolders(report: report) where Path.isDirectory(folder) {
            for name in Path.entries(folder) ?? [] where name.hasSuffix(".so") && !name.hasPrefix(".") {
                found.append(folder.hasSuffix("/") ? folder + name : folder + "/" + name)
            }
        }
        return found + files
    }

    /// Loads every module into `plugins`; each module is checked, loaded and
    /// registered whole, or reported and skipped.
    public static func load(_ paths: [String], into plugins: inout PluginSet, report: Report) {
        var loaded = Set<String>()
        for path in paths {
            guard let real = realPath(path) else {
                report(path, FileError(path: path, errno: errno).reason)
                continue
            }
            // The same file found twice (the path and --plugin) is loaded once.
            guard loaded.insert(real).inserted else { continue }
            do {
                try load(path, resolved: real, into: &plugins)
            } catch {
                report(path, "\(error)")
            }
        }
    }

    /// Why `path` (resolved to `real`) must not be loaded, or nil: the way
    /// to it, every link on it and the file (``ModuleTrust``), and never the
    /// current directory.
    static func refusal(_ path: String, resolved real: String) -> String? {
        switch ModuleTrust.follow(path) {
        case .failure(let error): return error.description
        case .success(let file) where file != real: return "it changed while it was examined"
        case .success: break
        }
        if let here = realPath("."), here == Path.directory(of: real) {
            return "it is in the current directory, and modules are never loaded from there"
        }
        return nil
    }

    static func load(_ path: String, resolved real: String, into plugins: inout PluginSet) throws(ModuleError) {
        if let refusal = refusal(path, resolved: real) { throw ModuleError(refusal) }
        var message = [CChar](repeating: 0, count: 512)
        let opened = Path.withCString(real) { file in
            Path.display(path).withCString {
                CAEPluginHost_load(file, $0, ModuleHost.functions, &message, message.count)
            }
        }
        guard let module = opened else {
            throw ModuleError(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let origin = PluginOrigin.module(
            path: real, abiVersion: CAEPluginHost_abi_version(module),
            sha256: (try? FileReader.read(real)).map { SHA256.hex($0) } ?? "")
        // Checked whole first, so a module is registered completely or not at all.
        var noise = plugins.noise
        var backends = plugins.backends
        for index in 0..<CAEPluginHost_noise_model_count(module) {
            try register(ModuleDescriptor(pointer: CAEPluginHost_noise_model(module, index)), origin, into: &noise)
        }
        for index in 0..<CAEPluginHost_backend_count(module) {
            try register(ModuleDescriptor(pointer: CAEPluginHost_backend(module, index)), origin, into: &backends)
        }
        if noise.entries.count == plugins.noise.entries.count
            && backends.entries.count == plugins.backends.entries.count
        {
            throw ModuleError("it registered no plugin")
        }
        plugins.noise = noise
        plugins.backends = backends
    }

    static func register(
        _ descriptor: ModuleDescriptor<ae_filter_noise_model>, _ origin: PluginOrigin,
        into registry: inout NoiseRegistry
    ) throws(ModuleError) {
        let model = descriptor.pointer.pointee
        let name = try validName(model.name, kind: "noise model")
        guard model.apply != nil else { throw ModuleError("noise model \(name) has no apply function") }
        guard model.level_min.isFinite, model.level_max.isFinite, model.level_min <= model.level_max else {
            throw ModuleError("noise model \(name) has an invalid level range")
        }
        if let other = registry.entries.first(where: { $0.name == name }) {
            throw ModuleError("noise model \(name) clashes with the one \(clash(other.origin))")
        }
        let levels = model.level_min...model.level_max
        let meaning = model.level_meaning.map { String(cString: $0) } ?? "level"
        registry.register(
            name: name, summary: model.summary.map { String(cString: $0) } ?? "", levelMeaning: meaning,
            levels: levels, origin: origin
        ) { level in
            guard level.isFinite, levels.contains(level) else {
                throw NoiseError(
                    "\(name) noise needs a \(meaning) from \(levels.lowerBound) to \(levels.upperBound), got \(level)")
            }
            return ModuleNoiseModel(descriptor: descriptor, name: name, level: level, origin: origin)
        }
    }

    static func register(
        _ descriptor: ModuleDescriptor<ae_filter_backend>, _ origin: PluginOrigin, into registry: inout BackendRegistry
    ) throws(ModuleError) {
        let backend = descriptor.pointer.pointee
        let name = try validName(backend.name, kind: "backend")
        guard name != "auto" else { throw ModuleError("a backend cannot be called auto") }
        guard backend.create != nil, backend.destroy != nil, backend.gemm != nil else {
            throw ModuleError("backend \(name) lacks its create, destroy or gemm function")
        }
        if let other = registry.entries.first(where: { $0.name == name }) {
            throw ModuleError("backend \(name) clashes with the one \(clash(other.origin))")
        }
        registry.register(
            name: name, summary: backend.summary.map { String(cString: $0) } ?? "", priority: Int(backend.priority),
            rowsAreIndependent: backend.rows_are_independent != 0, origin: origin
        ) { threads throws(ModuleError) in
            try ModuleBackend(descriptor, name: name, threads: threads, origin: origin)
        }
    }

    static func clash(_ origin: PluginOrigin) -> String {
        switch origin {
        case .builtIn: return "built in"
        case .module(let path, _, _): return "from \(Path.display(path))"
        }
    }

    /// A plugin name users can type: lowercase letters, digits and '-'.
    static func validName(_ name: UnsafePointer<CChar>?, kind: String) throws(ModuleError) -> String {
        guard let name else { throw ModuleError("a \(kind) has no name") }
        let text = String(cString: name)
        let allowed = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }
        guard !text.isEmpty, allowed else {
            throw ModuleError(
                "a \(kind) is named '\(Path.sanitized(text))'; names are lowercase letters, digits and '-'")
        }
        return text
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = Path.withCString(path, { realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return Path.string(cString: resolved)
    }
}
