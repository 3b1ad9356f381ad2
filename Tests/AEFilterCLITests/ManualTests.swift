import Foundation
import TestSupport
import Testing

/// man/ae-filter.1 against the command tree the binary reports.
@Suite struct ManualTests {
    static let page =
        (try? String(contentsOfFile: Fixtures.root.appendingPathComponent("man/ae-filter.1").path, encoding: .utf8))
        ?? ""

    /// (subcommand path, long option names) for every command in the tree.
    func commands() throws -> [(String, [String])] {
        let result = try CLI.run(["--experimental-dump-help"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        var found: [(String, [String])] = []
        func walk(_ command: [String: Any], _ path: String) {
            let arguments = command["arguments"] as? [[String: Any]] ?? []
            let options = arguments.flatMap {
                ($0["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" }.compactMap {
                    $0["name"] as? String
                }
            }
            found.append((path, options))
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(sub, path + " " + (sub["commandName"] as? String ?? "?"))
            }
        }
        walk(try #require(json["command"] as? [String: Any]), "ae-filter")
        return found
    }

    /// Long options named on `.It Fl` lines, e.g. `.It Fl o , -output Ar PATH`.
    static let documentedOptions: [String] = page.split(separator: "\n").flatMap { line -> [String] in
        guard line.hasPrefix(".It Fl") else { return [] }
        return line.split(separator: " ").filter { $0.hasPrefix("-") && $0.count > 2 }.map { String($0.dropFirst()) }
    }

    @Test func everyCommandAndOptionIsDocumented() throws {
        let tree = try commands()
        let documentedOptions = Set(Self.documentedOptions)
        #expect(tree.count >= 9)
        for (path, options) in tree {
            if let name = path.split(separator: " ").last, path != "ae-filter" {
                let documented = Self.page.contains(".It Em \(name)")
                #expect(documented, "subcommand \(path) is missing from man/ae-filter.1; run scripts/make-man")
            }
            for option in options where option != "experimental-dump-help" {
                let documented = documentedOptions.contains(option)
                #expect(documented, "\(path) --\(option) is missing from man/ae-filter.1; run scripts/make-man")
            }
        }
    }

    @Test func everyDocumentedOptionExists() throws {
        let known = Set(try commands().flatMap(\.1))
        let documented = Self.documentedOptions
        #expect(!documented.isEmpty)
        for option in documented {
            #expect(
                known.contains(option),
                "man/ae-filter.1 documents --\(option), which no command has; run scripts/make-man")
        }
    }

    @Test func rendersWithoutWarnings() throws {
        let lint = try CLI.run(
            executable: "/usr/bin/env",
            ["mandoc", "-T", "lint", "-W", "warning", Fixtures.root.appendingPathComponent("man/ae-filter.1").path])
        #expect(lint.status == 0, "\(lint.stdout) \(lint.stderr)")
        for section in [
            "NAME", "SYNOPSIS", "DESCRIPTION", "NOISE", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO",
        ] {
            let present = Self.page.contains(".Sh \(section)") || Self.page.contains(".Sh \"\(section)\"")
            #expect(present, "no \(section) section")
        }
    }
}
