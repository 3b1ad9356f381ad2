import Foundation
import TestSupport
import Testing

/// The command line as a Unix user types it.
@Suite struct CommandLineTests {
    /// `-ohmy.png` is `-o hmy.png`, as getopt reads it, not a bundle with `-h`.
    @Test func attachedShortValuesAreValues() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(["-ohmy.png", "-j1", shirt], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try png(Fixtures.bytes("\(dir)/hmy.png")).width == 28)
    }

    @Test func dashIsStandardOutput() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(["-o", "-", shirt], in: dir)
        #expect(result.status == 0)
        #expect(try png(result.stdout).width == 28)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    /// A negative value is a value: its message says what is wrong with it.
    @Test(arguments: [
        (["--noise", "-0.1"], "ae-filter: --noise must be 0 or more, got -0.1"),
        (["-j", "-2"], "ae-filter: --jobs must be between 1 and 256, got -2"),
        (["--scale=-3"], "ae-filter: --scale must be between 1 and 64, got -3"),
    ])
    func negativeValuesAreNamed(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments, stdin: Fixtures.bytes(shirt))
        #expect(result.status == 64)
        #expect(result.stderrLines.first == message)
    }

    /// `--output=` never takes the next argument as its value.
    @Test(arguments: [["--output=", "shirt.png"], ["--seed=", "--noise", "0.5"], ["eval", "--data="]])
    func anEmptyValueAfterEqualsIsAUsageError(arguments: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/shirt.png")
        let result = try CLI.run(arguments, in: dir)
        #expect(result.status == 64)
        #expect(
            result.stderrLines.first == "ae-filter: \(arguments.first { $0.hasSuffix("=") }!) has no value after the =")
        // The help of the command the user ran, not the root's usage.
        let command = arguments.first == "eval" ? "eval" : "filter"
        #expect(result.stderrLines.dropFirst().first == "See 'ae-filter \(command) --help' for more information.")
        #expect(try firstDifference(Fixtures.bytes("\(dir)/shirt.png"), Fixtures.bytes(shirt)) == nil)
    }

    @Test func theVersionNamesTheProgramAndVerboseTheModels() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && CLI.lines(version) == ["ae-filter 0.1.0"])
        let verbose = try CLI.run(["--version", "-v"])
        #expect(verbose.status == 0)
        let lines = CLI.lines(verbose)
        #expect(lines.first == "ae-filter 0.1.0" && lines.contains("embedded models:"))
        #expect(lines.contains { $0.hasPrefix("  tutorial") && $0.contains("Linear(784, 1176)") })
        #expect(lines.contains { $0.hasPrefix("    trained with: ae-filter train") })
    }

    /// `--version` after a command's name is the version, as each command's help says.
    @Test(arguments: [["train"], ["eval"], ["filter"], ["data", "export"], ["plugins"]])
    func everyCommandTakesVersion(command: [String]) throws {
        let result = try CLI.run(command + ["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(CLI.lines(result) == ["ae-filter 0.1.0"])
    }

    /// A value that starts with a minus sign and a digit is a value, not an option.
    @Test func aNegativeRangeIsAValue() throws {
        let result = try CLI.run(["train", "--noise-range", "-0.1:0.5"])
        #expect(result.status == 64)
        #expect(result.stderrLines.first?.contains("--noise-range") == true, "\(result.stderr)")
        #expect(!result.stderr.contains("unknown option"))
    }

    /// Stray arguments that swift-argument-parser would take for a help request are usage errors.
    @Test(arguments: [
        (
            ["-dash.png"],
            "ae-filter: unknown option '-d' in '-dash.png'; a file whose name starts with - is ./-dash.png or follows --"
        ),
        (["-zh"], "ae-filter: unknown option '-z' in '-zh'; a file whose name starts with - is ./-zh or follows --"),
        (
            ["help", "bogus"],
            "ae-filter: no command 'bogus' (commands: data, eval, filter, help, info, plugins, train)"
        ),
        (["--version", "bogus"], "ae-filter: --version takes no other arguments but -v"),
    ])
    func strayArgumentsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderrLines.first == message)
        #expect(result.stdout.isEmpty)
    }

    /// A file named like a subcommand is filtered as ./NAME or after --.
    @Test func aFileNamedLikeACommand() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: shirt, toPath: "\(dir)/train")
        for arguments in [["./train"], ["--", "train"]] {
            let result = try CLI.run(arguments, in: dir)
            #expect(result.status == 0 && (try? png(result.stdout).width) == 28, "\(arguments)")
        }
    }

    /// A value quoted in a usage error cannot start a line of its own or reach the terminal.
    @Test(arguments: [["--on-error"], ["--format"], ["eval", "--levels"], ["train", "--noise-range"], ["--bogus="]])
    func usageErrorsEscapeTheValuesTheyQuote(prefix: [String]) throws {
        let value = "x\u{1B}[2J\nFAKE"
        let arguments = prefix.last!.hasSuffix("=") ? [prefix.last! + value] : prefix + [value]
        let result = try CLI.run(Array(arguments))
        #expect(result.status == 64)
        #expect(!result.stderr.contains("\u{1B}"))
        #expect(!result.stderrLines.contains { $0.hasPrefix("FAKE") }, "\(result.stderr)")
    }
}

/// Thousands of file arguments are split off before parsing (swift-argument-parser
/// is quadratic in them); the split must never take an option's value for a file.
@Suite(.serialized) struct ManyFilesTests {
    /// A valid value for each option of the filter that takes one.
    static let values: [String: String] = [
        "output": "OUT/", "format": "pgm", "files-from": "/dev/null", "jobs": "2", "batch-size": "7",
        "noise": "0.5", "noise-model": "mask", "seed": "3", "model": Fixtures.referenceCheckpoint, "fit": "stretch",
        "invert": "off", "emit": "noisy", "scale": "2", "backend": "cpu", "threads": "1", "max-pixels": "100000",
        "on-error": "placeholder",
        // The module the build makes (an explicit --plugin that cannot load is an error).
        "plugin": Fixtures.root.appendingPathComponent(
            ".build/x86_64-unknown-linux-gnu/lib/ae-filter/plugins/ae-filter-openblas.so"
        ).path,
    ]

    @Test func everyValuedOptionKeepsItsValueBeforeManyFiles() throws {
        let dump = try CLI.run(["filter", "--experimental-dump-help"]).stdout
        let command = try JSONSerialization.jsonObject(with: Data(dump)) as! [String: Any]
        let arguments = (command["command"] as! [String: Any])["arguments"] as! [[String: Any]]
        var options: [[String]] = []
        for argument in arguments where argument["kind"] as? String == "option" {
            options.append(
                (argument["names"] as! [[String: Any]]).map { name in
                    (name["kind"] as! String == "short" ? "-" : "--") + (name["name"] as! String)
                })
        }
        #expect(options.count == Self.values.count)

        let dir = try CLI.temporaryDirectory()
        let files = (0..<80).map { "\(dir)/in-\($0).png" }
        for file in files { try FileManager.default.copyItem(atPath: shirt, toPath: file) }
        for names in options {
            let long = names.first { $0.hasPrefix("--") }!
            let value = try #require(Self.values[String(long.dropFirst(2))], "no test value for \(long)")
            for name in names {
                let out = "\(dir)/out\(name)/"
                var arguments = ["--model", Fixtures.referenceCheckpoint, "--summary"]
                if long != "--output" { arguments += ["-o", out] }
                arguments += [name, long == "--output" ? out : value] + files
                let result = try CLI.run(arguments)
                #expect(result.status == 0, "\(name) \(value): \(result.stderr)")
                #expect(result.stderr.contains("summary: 80 processed"), "\(name): \(result.stderr)")
            }
        }
    }
}
