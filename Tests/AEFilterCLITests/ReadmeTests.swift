import Foundation
import TestSupport
import Testing

/// Every shell block of the README runs as written, each in a fresh folder
/// that looks like a user's: the repository's Samples, Plugins and scripts,
/// a `photos/` folder, the built `ae-filter` on `PATH`, a home whose cache
/// holds the Fashion-MNIST files. Two things are stood in for: the build
/// inside `scripts/ae-filter` and `scripts/install` (the built binary is
/// used), and engines the suite does not run itself (Spark: `scripts/spark-test`;
/// the suite itself: `.ci/run`).
@Suite(.needsData) struct ReadmeTests {
    static let readme = Fixtures.root.appendingPathComponent("README.md").path

    /// The README's ```sh blocks, in order.
    static let blocks: [String] = {
        guard let text = try? String(contentsOfFile: readme, encoding: .utf8) else { return [] }
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }()

    @Test func theReadmeIsShortAndHasItsBlocks() throws {
        let size = try FileManager.default.attributesOfItem(atPath: Self.readme)[.size] as? Int ?? 0
        #expect(size <= 8 * 1024, "README.md is \(size) bytes")
        #expect(Self.blocks.count >= 8)
        #expect(Self.blocks.contains { $0.contains("scripts/test") })
    }

    /// A folder set up as described above.
    static func userFolder() throws -> (dir: String, environment: [String: String]) {
        let dir = try CLI.temporaryDirectory()
        let root = Fixtures.root.path
        let manager = FileManager.default
        // The clone: every top-level entry but the build folders, scripts one by one.
        for name in try manager.contentsOfDirectory(atPath: root)
        where !name.hasPrefix(".build") && name != ".git" && name != "scripts" {
            try manager.createSymbolicLink(atPath: "\(dir)/\(name)", withDestinationPath: "\(root)/\(name)")
        }
        try manager.createDirectory(atPath: "\(dir)/scripts", withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: "\(root)/scripts") where name != "ae-filter" {
            try manager.createSymbolicLink(
                atPath: "\(dir)/scripts/\(name)", withDestinationPath: "\(root)/scripts/\(name)")
        }
        // scripts/ae-filter builds, then runs the binary: here the build is done already.
        try Data("#!/bin/sh\nexec '\(CLI.binary)' \"$@\"\n".utf8).write(
            to: URL(fileURLWithPath: "\(dir)/scripts/ae-filter"))
        try manager.createDirectory(atPath: "\(dir)/bin", withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: "\(dir)/bin/ae-filter", withDestinationPath: CLI.binary)
        try manager.createDirectory(atPath: "\(dir)/photos/2024", withIntermediateDirectories: true)
        for (index, name) in ["basn0g08", "basn2c08", "f01n0g08", "basn6a08"].enumerated() {
            let target = index < 2 ? "\(dir)/photos/\(name).png" : "\(dir)/photos/2024/\(name).png"
            try manager.copyItem(atPath: Fixtures.corpus("pngsuite/\(name).png"), toPath: target)
        }
        try manager.createDirectory(atPath: "\(dir)/home/.cache/ae-filter", withIntermediateDirectories: true)
        try manager.createSymbolicLink(
            atPath: "\(dir)/home/.cache/ae-filter/fashion-mnist", withDestinationPath: Fixtures.dataDirectory)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = "\(dir)/home"
        environment["AE_FILTER_DATA"] = nil
        environment["XDG_CACHE_HOME"] = nil
        environment["AE_FILTER_BINARY"] = CLI.binary
        environment["PATH"] = "\(dir)/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
        _ = chmod("\(dir)/scripts/ae-filter", 0o755)
        return (dir, environment)
    }

    @Test(arguments: ReadmeTests.blocks.indices)
    func aBlockRunsAsWritten(index: Int) throws {
        let block = Self.blocks[index]
        if block.contains("spark-submit") {
            // Spark runs in CI's own step, on exactly this command.
            let test = try String(
                contentsOfFile: Fixtures.root.appendingPathComponent("scripts/spark-test").path, encoding: .utf8)
            #expect(test.contains("Samples/spark/denoise.py"))
            return
        }
        var commands = block
        if block.contains("scripts/test") {
            // The suite is running now; CI runs the command itself.
            let ci = try String(contentsOfFile: Fixtures.root.appendingPathComponent(".ci/run").path, encoding: .utf8)
            #expect(ci.split(separator: "\n").contains("scripts/test"))
            commands = block.split(separator: "\n").filter { $0 != "scripts/test" }.joined(separator: "\n")
        }
        let (dir, environment) = try Self.userFolder()
        let result = try CLI.run(
            executable: "/bin/bash", ["-euo", "pipefail", "-c", commands], in: dir, environment: environment)
        #expect(result.status == 0, "block \(index + 1):\n\(block)\n\(result.stderr)")
    }
}
