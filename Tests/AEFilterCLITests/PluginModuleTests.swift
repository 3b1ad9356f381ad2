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

    /// A module's noise model has no specialist: the universal model denoises it, without a note.
    @Test func aModuleNoiseModelGetsTheUniversalModel() throws {
        let arguments = ["--noise-model", "poisson", "--noise", "20", "--seed", "1", "--format", "pgm", shirt]
        let chosen = try Self.run(arguments)
        let universal = try Self.run(arguments + ["--model", "universal"])
        let blind = try Self.run(arguments + ["--model", "blind"])
        #expect(chosen.status == 0 && chosen.stderr.isEmpty, "\(chosen.stderr)")
        #expect(firstDifference(chosen.stdout, universal.stdout) == nil)
        #expect(firstDifference(chosen.stdout, blind.stdout) != nil)
        #expect(
            universal.stderr.contains(
                "universal: note: trained on dropout, mask, salt-pepper, gaussian noise, not poisson"))
    }

    /// Poisson noise leaves values above 1; the universal model, never trained
    /// on it, gets it as it looks and beats the noisy input and the median.
    @Test(.needsData) func aModuleNoiseReachesTheModelAsItLooks() throws {
        let result = try Self.run(
            [
                "eval", "--model", "universal", "--noise-model", "poisson", "--levels", "20,5", "--repeats", "1",
                "--limit", "2000", "--json",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        let rows = try #require(report?["levels"] as? [[String: Any]])
        #expect(rows.count == 2)
        for row in rows {
            let model = try #require((row["model"] as? [String: Any])?["psnr"] as? Double)
            let noisy = try #require((row["noisy"] as? [String: Any])?["psnr"] as? Double)
            let median = try #require((row["median3x3"] as? [String: Any])?["psnr"] as? Double)
            #expect(model > max(noisy, median), "\(row)")
        }
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
        #expect(
            without.stderr.contains(
                "trained with the noise model 'poisson' from \(Self.folder)/poisson-noise.so (sha256 "))
    }

    /// Each broken module found on the search path gets exactly one line, and
    /// the run goes on without it; one named with --plugin is an error.
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
            if pluginPath == nil {
                #expect(result.status == 1 && result.stdout.isEmpty)
                #expect(result.stderrLines == ["ae-filter: plugin \(dir)/broken.so: \(reason.dropLast(9))"])
            } else {
                #expect(result.status == 0)
                #expect(try png(result.stdout).width == 28)
                #expect(result.stderrLines == ["ae-filter: plugin \(dir)/broken.so: \(reason)"])
            }
        }
    }

    /// Never from the current directory, nor where other users can write.
    @Test func unsafePlacesAreRefused() throws {
        let dir = try CLI.temporaryDirectory()
        chmod(dir, 0o700)
        #expect(try Self.compile("Tests/Fixtures/test_plugin.c", to: "\(dir)/ok.so").status == 0)
        let here = try Self.run(["--plugin", "./ok.so", shirt], pluginPath: nil, in: dir)
        #expect(here.status == 1)
        #expect(
            here.stderrLines == [
                "ae-filter: plugin ./ok.so: it is in the current directory, and modules are never loaded from there"
            ])
        let relative = try Self.run(["plugins"], pluginPath: "plugins:\(dir)")
        #expect(relative.stderrLines.first?.contains("AE_FILTER_PLUGIN_PATH entry 'plugins'") == true)
        #expect(String(decoding: relative.stdout, as: UTF8.self).contains("invert-some"))
        chmod(dir, 0o777)
        let open = try Self.run([shirt], pluginPath: dir)
        #expect(
            open.stderrLines == [
                "ae-filter: plugin \(dir)/ok.so: the folder \(dir) on the way to it can be written by other users; skipped"
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
                "ae-filter: plugin \(nested)/ok.so: the folder \(dir)/shared on the way to it can be written by other users; skipped"
            ])
    }

    /// Whoever can write a folder on the way chooses nothing: a link to a
    /// trusted module from a folder others can write, or a chain of links
    /// that passes through one, is refused like a copy would be.
    @Test func linksAreJudgedAllTheWay() throws {
        let dir = try CLI.temporaryDirectory()
        chmod(dir, 0o700)
        let trusted = "\(dir)/trusted"
        let open = "\(dir)/open"
        let mine = "\(dir)/mine"
        for folder in [trusted, open, mine] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        #expect(try Self.compile("Tests/Fixtures/test_plugin.c", to: "\(trusted)/ok.so").status == 0)
        chmod(open, 0o777)
        // The case: a link in the open folder to the trusted module.
        try FileManager.default.createSymbolicLink(atPath: "\(open)/x.so", withDestinationPath: "\(trusted)/ok.so")
        let linked = try Self.run(["plugins"], pluginPath: open)
        #expect(
            linked.stderrLines == [
                "ae-filter: plugin \(open)/x.so: the folder \(open) on the way to it can be written by other users; skipped"
            ], "\(linked.stderr)")
        #expect(!String(decoding: linked.stdout, as: UTF8.self).contains("invert-some"))
        // A variant: the folder the user names is safe, but its link goes through the open folder.
        try FileManager.default.createSymbolicLink(atPath: "\(mine)/y.so", withDestinationPath: "\(open)/x.so")
        let chained = try Self.run(["plugins", "--plugin", "\(mine)/y.so"], pluginPath: nil)
        #expect(chained.stderrLines.first?.contains("the folder \(open) on the way to it can be written") == true)
        #expect(chained.status != 0)
        // And a link whose target climbs through the open folder with '..'.
        try FileManager.default.createSymbolicLink(
            atPath: "\(mine)/z.so", withDestinationPath: "../open/../trusted/ok.so")
        let climbed = try Self.run(["plugins", "--plugin", "\(mine)/z.so"], pluginPath: nil)
        #expect(climbed.stderrLines.first?.contains("the folder \(open) on the way to it can be written") == true)
        // A link kept in a safe folder to the trusted module is fine.
        try FileManager.default.createSymbolicLink(atPath: "\(mine)/good.so", withDestinationPath: "\(trusted)/ok.so")
        let good = try Self.run(["plugins", "--plugin", "\(mine)/good.so"], pluginPath: nil)
        #expect(good.status == 0 && good.stderr.isEmpty, "\(good.stderr)")
        #expect(String(decoding: good.stdout, as: UTF8.self).contains("invert-some"))
    }
}

/// Modules that misbehave are named as the culprit: a NaN from a noise
/// model or a backend, a crash or an exit() while loading, another module
/// under the name a checkpoint was trained with (issue 24: M2, M3, M6, L3).
@Suite(.serialized) struct ModuleFaultTests {
    static let folder: String = {
        let dir = (try? CLI.temporaryDirectory()) ?? "/tmp"
        chmod(dir, 0o700)
        for (name, flags) in [
            ("nan-noise", ["-DNAN_NOISE"]), ("nan-backend", ["-DNAN_BACKEND"]), ("crash", ["-DCRASHING_INIT"]),
            ("exit", ["-DEXITING_INIT"]), ("plain", []), ("other", ["-DOTHER_BUILD=1"]),
        ] {
            try? FileManager.default.createDirectory(atPath: "\(dir)/\(name)", withIntermediateDirectories: true)
            chmod("\(dir)/\(name)", 0o700)
            _ = try? PluginModuleTests.compile("Tests/Fixtures/test_plugin.c", to: "\(dir)/\(name)/m.so", flags: flags)
        }
        return dir
    }()

    static func run(_ arguments: [String], modules: String?, noModules: Bool = false) throws -> CLI.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["AE_FILTER_PLUGIN_PATH"] = modules.map { "\(folder)/\($0)" } ?? "/nonexistent"
        if noModules { environment["AE_FILTER_NO_MODULES"] = "1" }
        return try CLI.run(executable: CLI.binary, arguments, environment: environment)
    }

    static let shirt = Fixtures.root.appendingPathComponent("Samples/shirt.png").path

    @Test func aBackendThatGivesNaNFailsItsCheck() throws {
        let result = try Self.run(["plugins", "--check", "\(Self.folder)/nan-backend/m.so"], modules: nil)
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 1, "\(text)")
        #expect(text.contains("not a finite number") && !text.contains(": passed"), "\(text)")
    }

    /// The noise model is blamed, not the model's weights, even when no model output is asked for.
    @Test(arguments: [["--emit", "noisy"], [], ["--model", "tutorial"]])
    func aNoiseModelsNaNIsBlamedOnIt(extra: [String]) throws {
        let result = try Self.run(
            ["--noise-model", "invert-some", "--noise", "0.5", "--format", "pgm"] + extra + [Self.shirt],
            modules: "nan-noise")
        #expect(result.status == 1)
        // A model given for other noise gets its one-line note first.
        let note =
            extra.contains("tutorial")
            ? [
                "ae-filter: tutorial: note: trained on dropout noise, not invert-some; denoising anyway "
                    + "(without --model, invert-some noise gets the universal model)"
            ] : []
        #expect(
            result.stderrLines == note + [
                "ae-filter: \(Self.shirt): the noise model 'invert-some' (from the module \(Self.folder)/nan-noise/m.so)"
                    + " made pixels that are not finite (NaN or infinite)"
            ], "\(result.stderr)")
    }

    /// A module backend's NaN is not laid on the model's weights alone: the backend is named.
    @Test func aBackendsNaNNamesTheBackend() throws {
        let result = try Self.run(["--backend", "nan-gemm", "--format", "pgm", Self.shirt], modules: "nan-backend")
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "with the backend 'nan-gemm' from the module \(Self.folder)/nan-backend/m.so: that backend, or weights "
                    + "that overflow on this image; --backend cpu tells which"
            ),
            "\(result.stderr)")
        let builtIn = try Self.run(["--backend", "cpu", "--format", "pgm", Self.shirt], modules: "nan-backend")
        #expect(builtIn.status == 0)
    }

    /// A crash or an exit() in a module's init names the module; AE_FILTER_NO_MODULES=1 loads none.
    @Test func aModuleThatDiesWhileLoadingIsNamed() throws {
        let crash = try Self.run(["info", "tutorial"], modules: "crash")
        #expect(crash.status == SIGSEGV)
        #expect(
            crash.stderrLines.first
                == "ae-filter: plugin \(Self.folder)/crash/m.so: it crashed (a fatal signal) while it was loading; "
                + "AE_FILTER_NO_MODULES=1 runs ae-filter without the modules it finds", "\(crash.stderr)")
        let exited = try Self.run(["info", "tutorial"], modules: "exit")
        #expect(exited.status == 1)
        #expect(
            exited.stderrLines.first?.hasPrefix("ae-filter: plugin \(Self.folder)/exit/m.so: it called exit()") == true)
        // 0 is no switch: the module is loaded (and crashes) as without it.
        var environment = ProcessInfo.processInfo.environment
        environment["AE_FILTER_PLUGIN_PATH"] = "\(Self.folder)/plain"
        environment["AE_FILTER_NO_MODULES"] = "0"
        let zero = try CLI.run(executable: CLI.binary, ["plugins"], environment: environment)
        #expect(String(decoding: zero.stdout, as: UTF8.self).contains("invert-some"))
        for modules in ["crash", "exit"] {
            let off = try Self.run(["info", "tutorial"], modules: modules, noModules: true)
            #expect(off.status == 0 && off.stderr.isEmpty, "\(off.stderr)")
            let filtered = try Self.run(["--format", "pgm", Self.shirt], modules: modules, noModules: true)
            #expect(filtered.status == 0 && !filtered.stdout.isEmpty)
        }
    }

    /// A run trained with one module's noise model resumes only with that module;
    /// the filter and eval say which module differs.
    @Test func anotherModuleUnderTheSameNameIsNoticed() throws {
        let dir = try CLI.temporaryDirectory()
        let plain = "\(Self.folder)/plain/m.so"
        let sha = SHA256.hex(try Fixtures.bytes(plain))
        let recorded: [String: String?] = [
            "train.noise_model": "invert-some", "noise_model": "invert-some", "noise_model.module": plain,
            "noise_model.sha256": sha,
        ]
        let path = try ResumeSettingsTests.state(in: dir, recorded)
        let other = try Self.run(
            ["train", "--resume", path, "-o", "\(dir)/o.safetensors", "--data", "/nonexistent"], modules: "other")
        #expect(other.status == 1)
        #expect(
            other.stderr.contains(
                "trained with the noise model 'invert-some' from \(plain) (sha256 \(sha)), but the loaded 'invert-some' is from \(Self.folder)/other/m.so"
            ), "\(other.stderr)")
        #expect(other.stderr.contains("load the module it was trained with"))
        // The same module resumes (as far as the missing data).
        let same = try Self.run(
            ["train", "--resume", path, "-o", "\(dir)/o.safetensors", "--data", "/nonexistent"], modules: "plain")
        #expect(same.stderrLines.count == 1 && same.stderr.hasPrefix("ae-filter: data: "), "\(same.stderr)")
        // The filter and eval carry on with a note.
        let filtered = try Self.run(["--model", path, "--format", "pgm", Self.shirt], modules: "other")
        #expect(filtered.status == 0)
        #expect(filtered.stderrLines.count == 1 && filtered.stderr.contains("denoising anyway"), "\(filtered.stderr)")
        #expect(filtered.stderr.contains("but the loaded 'invert-some' is from \(Self.folder)/other/m.so"))
        let evaluated = try Self.run(["eval", "--model", path, "--data", "/nonexistent"], modules: "other")
        #expect(evaluated.stderrLines.first?.contains("but the loaded 'invert-some' is from") == true)
        #expect(evaluated.stderrLines.first?.hasSuffix("; evaluating anyway") == true)
    }
}

/// A noise model's NaN in training and evaluation is named, not blamed on the
/// learning rate, and eval prints no table of nan (issue 24, M3).
@Suite(.needsData, .serialized) struct ModuleNoiseFaultTrainingTests {
    let data = ["--data", Fixtures.dataDirectory]

    @Test func trainNamesTheNoiseModel() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try ModuleFaultTests.run(
            ["train", "--noise-model", "invert-some", "--hidden", "8", "--iterations", "3", "-q", "-o", "\(dir)/m.st"]
                + data, modules: "nan-noise")
        #expect(result.status == 1)
        #expect(result.stderr.contains("the noise model 'invert-some' (from the module"), "\(result.stderr)")
        #expect(result.stderr.contains("at iteration 1; nothing was written"))
        #expect(!result.stderr.contains("--lr"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.st"))
    }

    @Test func trainNamesABackendFromAModule() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try ModuleFaultTests.run(
            ["train", "--backend", "nan-gemm", "--hidden", "8", "--iterations", "3", "-q", "-o", "\(dir)/m.st"] + data,
            modules: "nan-backend")
        #expect(result.status == 1)
        #expect(result.stderr.contains("or the backend 'nan-gemm' from the module"), "\(result.stderr)")
    }

    /// eval prints no table of nan when the backend gives NaN: it names the backend and exits 1.
    @Test func evalNamesABackendFromAModule() throws {
        let result = try ModuleFaultTests.run(
            ["eval", "--backend", "nan-gemm", "--model", "tutorial", "--repeats", "1"] + data, modules: "nan-backend")
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr.contains(
                "ae-filter: eval: the model's output is not finite (NaN or infinite) with the backend 'nan-gemm'"),
            "\(result.stderr)")
    }

    @Test(arguments: [["--noise", "0.5"], ["--levels", "0,0.5"]])
    func evalFailsNamingTheNoiseModel(noise: [String]) throws {
        let result = try ModuleFaultTests.run(
            ["eval", "--model", "tutorial", "--noise-model", "invert-some", "--repeats", "1"] + noise + data,
            modules: "nan-noise")
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("ae-filter: eval: the noise model 'invert-some' (from the module"))
    }
}
