import Foundation
import TestSupport
import Testing

/// scripts/install into a temporary prefix, used from another directory, then uninstalled.
@Suite struct InstallTests {
    @Test func installsRunsAnywhereAndUninstalls() throws {
        let prefix = try CLI.temporaryDirectory()
        let script = Fixtures.root.appendingPathComponent("scripts/install").path
        var environment = ProcessInfo.processInfo.environment
        environment["AE_FILTER_BINARY"] = CLI.binary
        let install = try CLI.run(executable: script, [prefix], environment: environment)
        #expect(install.status == 0, "\(install.stderr)")
        let files = [
            "bin/ae-filter", "share/man/man1/ae-filter.1", "share/bash-completion/completions/ae-filter",
            "share/zsh/site-functions/_ae-filter", "share/fish/vendor_completions.d/ae-filter.fish",
            "lib/ae-filter/plugins/ae-filter-openblas.so", "include/ae-filter/ae_filter_plugin.h",
        ]
        for file in files {
            #expect(FileManager.default.fileExists(atPath: "\(prefix)/\(file)"), "\(file) not installed")
        }
        let bash = try String(contentsOfFile: "\(prefix)/share/bash-completion/completions/ae-filter", encoding: .utf8)
        #expect(bash.contains("--noise-model") && bash.contains("train"))

        // The installed binary works from elsewhere, with its embedded model.
        let elsewhere = try CLI.temporaryDirectory()
        let shirtBytes = try Fixtures.bytes(Fixtures.root.appendingPathComponent("Samples/shirt.png").path)
        let result = try CLI.run(
            executable: "\(prefix)/bin/ae-filter", ["--noise", "0.5"], stdin: shirtBytes, in: elsewhere)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // It finds the OpenBLAS module beside it.
        let plugins = try CLI.run(executable: "\(prefix)/bin/ae-filter", ["plugins"], in: elsewhere)
        let listed = String(decoding: plugins.stdout, as: UTF8.self)
        #expect(listed.contains("\(prefix)/lib/ae-filter/plugins/ae-filter-openblas.so (ABI 1)"), "\(listed)")

        let uninstall = try CLI.run(executable: script, ["--uninstall", prefix], environment: environment)
        #expect(uninstall.status == 0)
        for file in files {
            #expect(!FileManager.default.fileExists(atPath: "\(prefix)/\(file)"), "\(file) left behind")
        }
    }
}
