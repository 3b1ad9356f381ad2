import AEFilterCommands
import Foundation
import TestSupport
import Testing

/// The filter's shortcut past swift-argument-parser builds exactly what the
/// parser builds, every field, or declines and leaves the line to the parser.
@Suite struct FilterShortcutTests {
    static let sample = Fixtures.root.appendingPathComponent("Samples/shirt.png").path
    static let samples = Fixtures.root.appendingPathComponent("Samples").path
    static let out = "/tmp/ae-filter-shortcut-test.png"

    /// Lines the shortcut must take, covering every option it knows.
    static let taken: [[String]] = [
        [sample, "-o", out],
        ["--noise", "0.5", sample, "-o", out],
        ["--noise=0.5", "--seed", "7", "--model", "tutorial", sample, "-o", out],
        ["-o", out, "--noise", "0.3", "--noise-model", "gaussian", sample],
        [sample, "--output=\(out)", "--fit", "crop", "--invert", "off", "--emit", "triptych", "--scale", "4"],
        [sample, "-o", out, "--format", "pgm", "--on-error", "placeholder", "-j", "3", "--batch-size", "17"],
        [sample, "-o", out, "--max-pixels", "1000", "--backend", "cpu", "--threads", "2", "-q", "--summary"],
        [sample, "-o", out, "--quiet", "--jobs", "1", "--seed", "18446744073709551615"],
        ["-o", "/tmp/ae-filter-shortcut-dir/", "--skip-existing", samples],
        ["-o", out, "--lines", "--on-error", "mark", "--", "-"],
        ["-o", out, "--files-from", "/dev/null", "-0", "--format", "pgm"],
        ["-o", out, "--files-from", "/dev/null", "--null", "--format", "idx"],
    ]

    /// Lines the shortcut must leave to the parser: other commands, help,
    /// version, unknown or repeated options, unreadable values, failed checks.
    static let declined: [[String]] = [
        ["train", "--help"], ["--help"], ["-h"], ["--version"], ["info", "blind"], ["filter", sample, "-o", out],
        [sample, "-o", out, "--noise", "0.5", "--noise", "0.6"], [sample, "-o", out, "--noise", "lots"],
        [sample, "-o", out, "--frobnicate"], [sample, "-o", out, "--fit", "squash"], [sample, "-o"],
        [sample, "-o", out, "--noise", "-0.1"], [sample, "-o", out, "--scale", "0"], [sample, "-o", out, "-qh"],
        [sample, "-o", out, "--noise-model", "nosuch", "--noise", "0.2"], [sample, "-o", out, "--backend", "nosuch"],
        [sample, "-o", out, "--seed", "-1"], [sample, "-o", out, "--jobs", "0"], [sample, "-o", out, "--output="],
    ]

    @Test(arguments: taken) func takesWhatTheParserTakes(_ arguments: [String]) {
        let (shortcut, parser) = FilterShortcut.comparison(arguments)
        #expect(parser != nil, "the parser refuses \(arguments)")
        #expect(shortcut != nil, "the shortcut declines \(arguments)")
        #expect(shortcut == parser, "\(arguments): shortcut \(shortcut ?? "nil") but parser \(parser ?? "nil")")
    }

    @Test(arguments: declined) func leavesTheRestToTheParser(_ arguments: [String]) {
        #expect(FilterShortcut.comparison(arguments).shortcut == nil, "the shortcut took \(arguments)")
    }

    /// Every option and flag of the command is in the table the shortcut
    /// reads, by every spelling, valued or not as the parser has it (help aside).
    @Test func knowsEveryOption() throws {
        let json = try JSONSerialization.jsonObject(with: Data(FilterShortcut.parserDescription.utf8))
        let command = try #require((json as? [String: Any])?["command"] as? [String: Any])
        let arguments = try #require(command["arguments"] as? [[String: Any]])
        var valued: Set<String> = []
        var flags: Set<String> = []
        for argument in arguments {
            let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                guard let text = name["name"] as? String else { return nil }
                return (name["kind"] as? String == "long" ? "--" : "-") + text
            }
            if names.contains("--help") { continue }
            switch argument["kind"] as? String {
            case "option": valued.formUnion(names)
            case "flag": flags.formUnion(names)
            default: break
            }
        }
        #expect(valued == FilterShortcut.spellings.valued)
        #expect(flags == FilterShortcut.spellings.flags)
    }
}
