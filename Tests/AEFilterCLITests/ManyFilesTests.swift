import Foundation
import TestSupport
import Testing

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
