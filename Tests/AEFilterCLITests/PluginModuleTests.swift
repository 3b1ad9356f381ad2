import AEFilterCore
import AESystem
import Foundation
import TestSupport
import Testing

/// Plugin modules built with nothing but a C compiler and the header, loaded
/// by the binary without rebuilding it; broken ones cost one line each.
@Suite(.serialized) struct PluginModuleTests {
    /// A private folder (not writable by others) holding the sample modules.
    static let folder: String = {
        let dir = (try? CLI.temporaryDirectory()) ?? "/tmp"
        chmod(dir, 0o700)
        for (name, source, libraries) in [
            ("poisson-noise", "Plugins/Examples/PoissonNoise/poisson_noise.c", ["-lm"]),
            ("blocked-gemm", "Plugins/Examples/BlockedGemm/blocked_gemm.c", []),
        ] {
            _ = try? compile(source, to: "\(dir)/\(name).so", libraries: libraries)
        }
        return dir
    }()

    static func compile(_ source: String, to output: String, flags: [String] = [], libraries: [String] = []) throws
        -> CLI.Result
    {
        let include = Fixtures.root.appendingPathComponent("Plugins/include").path
        return try CLI.run(
            executable: "/usr/bin/env",
            ["cc", "-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-I", include] + flags
                + ["-o", output, Fixtures.root.appendingPathComponent(source).path] + libraries)
    }

    static func run(
        _ arguments: [String], pluginPath: String? = folder, stdin: [UInt8] = [], in directory: String? = nil
    )
        throws -> CLI.Result
    {
        var environment = ProcessInfo.processInfo.environment
        environment["AE_FILTER_PLUGIN_PATH"] = pluginPath
        return try CLI.run(
            executable: CLI.binary, arguments, stdin: stdin, in: directory, environment: environment)
    }

    @Test func theSamplesAreListedWithTheirOrigin() throws {
        let result = try Self.run(["plugins"])
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(text.contains("  poisson ") && text.contains("\(Self.folder)/poisson-noise.so (ABI 1)"))
        #expect(text.contains("  blocked ") && text.contains("\(Self.folder)/blocked-gemm.so (ABI 1)"))
        #expect(text.contains("ae-filter-openblas.so (ABI 1)"))
        #expect(result.stderr.isEmpty)
    }

    @Test(arguments: ["poisson-noise", "blocked-gemm"])
    func theSamplesPassTheConformanceChecks(name: String) throws {
        let result = try Self.run(["plugins", "--check", "\(Self.folder)/\(name).so"], pluginPath: nil)
        #expect(result.status == 0, "\(String(decoding: result.stdout, as: UTF8.self))")
        #expect(String(decoding: result.stdout, as: UTF8.self).hasSuffix("\(name).so: passed\n"))
    }

    /// Through the path or with --plugin, the noise is reproducible for a seed and differs between seeds.
    @Test func aModuleNoiseModelIsReproducible() throws {
        let arguments = ["--noise-model", "poisson", "--noise", "20", "--emit", "noisy", "--format", "pgm", shirt]
        let first = try Self.run(arguments + ["--seed", "1"])
        let again = try Self.run(
            arguments + ["--seed", "1", "--plugin", "\(Self.folder)/poisson-noise.so"], pluginPath: nil)
        let other = try Self.run(arguments + ["--seed", "2"])
        #expect(first.status == 0 && again.status == 0, "\(first.stderr)\(again.stderr)")
        #expect(firstDifference(first.stdout, again.stdout) == nil)
        #expect(firstDifference(first.stdout, other.stdout) != nil)
    }

    /// The module backend serves the filter; its rows are independent, so batching changes nothing.
    @Test func aModuleBackendServesTheFilter() throws {
        let stream = try (0..<6).flatMap { _ in try Fixtures.bytes(shirt) }
        let arguments = ["--backend", "blocked", "--noise", "0.5", "--seed", "4", "--format", "idx"]
        let whole = try Self.run(arguments, stdin: stream)
        let single = try Self.run(arguments + ["--batch-size", "1"], stdin: stream)
        let cpu = try Self.run(["--noise", "0.5", "--seed", "4", "--format", "idx"], stdin: stream)
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(firstDifference(whole.stdout, single.stdout) == nil)
        #expect(zip(whole.stdout, cpu.stdout).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
    }

    /// Training with a module's noise model records the module; a run without it warns once.
    @Test(.needsData) func aCheckpointNamesItsModule() throws {
        let dir = try CLI.temporaryDirectory()
        let trained = try Self.run(
            ["train"] + data + [
                "--noise-model", "poisson", "--noise", "30", "--iterations", "3", "--eval-every", "3", "--backend",
                "blocked", "--hidden", "16", "-o", "\(dir)/m.safetensors",
            ])
        #expect(trained.status == 0, "\(trained.stderr)")
        let checkpoint = try Checkpoint(contentsOf: "\(dir)/m.safetensors", architectures: Fixtures.architectures)
        let module = try Fixtures.bytes("\(Self.folder)/poisson-noise.so")
        #expect(checkpoint.metadata["noise_model.module"] == "\(Self.folder)/poisson-noise.so")
        #expect(checkpoint.metadata["noise_model.sha256"] == SHA256.hex(module))
        let info = String(decoding: try Self.run(["info", "\(dir)/m.safetensors"]).stdout, as: UTF8.self)
        #expect(info.contains("noise_model.sha256: \(SHA256.hex(module))"))
        let without = try Self.run(["--model", "\(dir)/m.safetensors", shirt], pluginPath: "/nonexistent")
        #expect(without.status == 0)
        #expect(without.stderrLines.count == 1)
        #expect(without.stderr.contains("trained with the noise model 'poisson' (from \(Self.folder)/poisson-noise.so"))
    }

    /// Each broken module gets exactly one line, and the run goes on without it.
    @Test(arguments: [
        ("WRONG_ABI", "it was built for plugin ABI version 99; this ae-filter has version 1; skipped"),
        ("NO_INIT", "it has no ae_filter_plugin_init function, so it is no ae-filter plugin; skipped"),
        ("CLASH", "noise model dropout clashes with the one built in; skipped"),
        ("FAILING_INIT", "its init failed (no device); skipped"),
        ("MISSING_APPLY", "noise model invert-some has no apply function; skipped"),
    ])
    func aBrokenModuleCostsOneLine(flag: String, reason: String) throws {
        let dir = try CLI.temporaryDirectory()
        chmod(dir, 0o700)
        let built = try Self.compile("Tests/Fixtures/test_plugin.c", to: "\(dir)/broken.so", flags: ["-D\(flag)"])
        #expect(built.status == 0, "\(built.stderr)")
        for pluginPath in [dir, nil] {
            let extra = pluginPath == nil ? ["--plugin", "\(dir)/broken.so"] : []
            let result = try Self.run(extra + [shirt], pluginPath: pluginPath)
            #expect(result.status == 0)
            #expect(try png(result.stdout).width == 28)
            #expect(result.stderrLines == ["ae-filter: plugin \(dir)/broken.so: \(reason)"])
        }
    }

    /// Never from the current directory, nor where other users can write.
    @Test func unsafePlacesAreRefused() throws {
        let dir = try CLI.temporaryDirectory()
        chmod(dir, 0o700)
        #expect(try Self.compile("Tests/Fixtures/test_plugin.c", to: "\(dir)/ok.so").status == 0)
        let here = try Self.run(["--plugin", "./ok.so", shirt], pluginPath: nil, in: dir)
        #expect(here.status == 0)
        #expect(
            here.stderrLines == [
                "ae-filter: plugin ./ok.so: it is in the current directory, and modules are never loaded from there; skipped"
            ])
        let relative = try Self.run(["plugins"], pluginPath: "plugins:\(dir)")
        #expect(relative.stderrLines.first?.contains("AE_FILTER_PLUGIN_PATH entry 'plugins'") == true)
        #expect(String(decoding: relative.stdout, as: UTF8.self).contains("invert-some"))
        chmod(dir, 0o777)
        let open = try Self.run([shirt], pluginPath: dir)
        #expect(
            open.stderrLines == [
                "ae-filter: plugin \(dir)/ok.so: its folder \(dir) can be written by other users; skipped"
            ])
        chmod(dir, 0o700)
        chmod("\(dir)/ok.so", 0o666)
        let writable = try Self.run([shirt], pluginPath: dir)
        #expect(writable.stderrLines == ["ae-filter: plugin \(dir)/ok.so: it can be written by other users; skipped"])
        // A folder further up that others can write to: they could swap the module's folder.
        chmod("\(dir)/ok.so", 0o644)
        let nested = "\(dir)/shared/modules"
        try FileManager.default.createDirectory(atPath: nested, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(dir)/ok.so", toPath: "\(nested)/ok.so")
        chmod("\(dir)/shared", 0o777)
        let above = try Self.run([shirt], pluginPath: nested)
        #expect(
            above.stderrLines == [
                "ae-filter: plugin \(nested)/ok.so: the folder \(dir)/shared above it can be written by other users; skipped"
            ])
    }
}
