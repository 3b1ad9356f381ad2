import AEFilterCore
import AESystem
import Foundation
import TestSupport
import Testing

/// A record's noise belongs to the record (its path or key), not to its
/// place in the run: splitting, reordering and batching change no byte.
@Suite struct RecordNoiseTests {
    static let noise = ["--noise", "0.5", "--seed", "7"]

    /// imgs/ with a dozen different images, one of them in a subfolder.
    func makeImages() throws -> (dir: String, names: [String]) {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/imgs/sub", withIntermediateDirectories: true)
        let sources = [
            "basn0g08", "basn2c08", "basn3p08", "basn4a08", "basn6a08", "basi0g08", "f00n0g08", "f01n0g08",
            "f02n0g08", "f03n0g08", "f04n0g08", "basi2c08",
        ]
        var names: [String] = []
        for (i, source) in sources.enumerated() {
            let name = i == 5 ? "sub/\(source).png" : "\(source).png"
            try FileManager.default.copyItem(
                atPath: Fixtures.corpus("pngsuite/\(source).png"), toPath: "\(dir)/imgs/\(name)")
            names.append(name)
        }
        return (dir, names)
    }

    /// The records of a lines-mode output, by key.
    func records(_ output: [UInt8]) -> [String: String] {
        var byKey: [String: String] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            byKey[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return byKey
    }

    @Test func aFolderAListAndKeyedRecordsInAnyPartitionsGiveTheSameBytes() throws {
        let (dir, names) = try makeImages()
        let folder = try CLI.run(model + Self.noise + ["-o", "\(dir)/folder/", "\(dir)/imgs"])
        #expect(folder.status == 0, "\(folder.stderr)")

        // The same files listed from inside the folder, in another order, on two workers.
        let listed = try CLI.run(
            model + Self.noise + ["-j", "2", "--files-from", "-", "-o", "\(dir)/listed/"],
            stdin: Array(names.reversed().map { "./\($0)\n" }.joined().utf8), in: "\(dir)/imgs")
        #expect(listed.status == 0, "\(listed.stderr)")

        // Keyed records, shuffled, cut into three "partitions" of unequal sizes, small batches.
        let lines = try names.map { "\($0)\t\(Base64.encode(try Fixtures.bytes("\(dir)/imgs/\($0)")))\n" }
        let shuffled = [7, 2, 11, 0, 5, 9, 1, 4, 10, 3, 8, 6].map { lines[$0] }
        var keyed: [String: String] = [:]
        for part in [shuffled[0..<1], shuffled[1..<8], shuffled[8...]] {
            let run = try CLI.run(
                model + Self.noise + ["--lines", "--batch-size", "3"], stdin: Array(part.joined().utf8))
            #expect(run.status == 0, "\(run.stderr)")
            keyed.merge(records(run.stdout)) { first, _ in first }
        }
        #expect(keyed.count == names.count)

        for name in names {
            let output = (name as NSString).deletingPathExtension + ".png"
            let expected = try Fixtures.bytes("\(dir)/folder/\(output)")
            #expect(try firstDifference(Fixtures.bytes("\(dir)/listed/\(output)"), expected) == nil, "\(name)")
            #expect(Base64.decode(Array((keyed[name] ?? "").utf8)).map { firstDifference($0, expected) } == .some(nil))
        }
        // The noise did something, and differently for each image.
        let clean = try CLI.run(model + ["--noise", "0", "-o", "\(dir)/clean/", "\(dir)/imgs"])
        #expect(clean.status == 0)
        #expect(try Fixtures.bytes("\(dir)/clean/\(names[0])") != Fixtures.bytes("\(dir)/folder/\(names[0])"))
    }

    @Test func keylessRecordsGetKeysFromTheirContentWhereverTheyAre() throws {
        let (dir, names) = try makeImages()
        let lines = try names.map { "\(Base64.encode(try Fixtures.bytes("\(dir)/imgs/\($0)")))\n" }
        let forward = try CLI.run(model + Self.noise + ["--lines"], stdin: Array(lines.joined().utf8))
        let backward = try CLI.run(
            model + Self.noise + ["--lines", "--batch-size", "5"], stdin: Array(lines.reversed().joined().utf8))
        #expect(forward.status == 0 && backward.status == 0)
        let first = records(forward.stdout)
        let second = records(backward.stdout)
        #expect(first.count == names.count, "keys are unique across the job")
        #expect(first.keys.allSatisfy { $0.hasPrefix("sha256:") && $0.count == 23 })
        #expect(first == second)
        // The key is the payload's SHA-256, so it can be computed before the job to join on.
        let payload = String(lines[0].dropLast())
        #expect(first["sha256:" + SHA256.hex(Array(payload.utf8)).prefix(16)] != nil)
    }

    /// Without --seed every run draws its own noise; with it, runs repeat.
    @Test func withoutASeedEachRunDrawsNewNoise() throws {
        let image = try Fixtures.bytes(shirt)
        let arguments = model + ["--noise", "0.5", "--emit", "noisy", "--format", "pgm"]
        let first = try CLI.run(arguments, stdin: image)
        let second = try CLI.run(arguments, stdin: image)
        #expect(first.status == 0 && second.status == 0)
        #expect(first.stdout != second.stdout)
        let seeded = try (0..<2).map { _ in try CLI.run(arguments + ["--seed", "3"], stdin: image).stdout }
        #expect(seeded[0] == seeded[1])
    }

    /// A key is every byte before the tab, NUL included: keys that differ
    /// after a NUL neither collide nor share their noise (issue 24, M5).
    @Test(arguments: [("a\u{0}b", "a\u{0}c"), ("\u{0}x", "\u{0}y"), ("k\u{0}", "k\u{0}\u{0}")])
    func keysKeepTheirNULBytes(first: String, second: String) throws {
        let image = Base64.encode(try Fixtures.bytes(shirt))
        let input = Array("\(first)\t\(image)\n\(second)\t\(image)\n".utf8)
        let result = try CLI.run(model + Self.noise + ["--lines"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let byKey = records(result.stdout)
        #expect(byKey.keys.sorted() == [first, second].sorted(), "\(byKey.keys.map { Array($0.utf8) })")
        // The same image under two keys: two noise streams, two outputs.
        #expect(byKey[first] != nil && byKey[first] != byKey[second])
    }

    @Test func aRawStreamIsNoisedByPosition() throws {
        let image = try Fixtures.bytes(shirt)
        let twice = try CLI.run(model + Self.noise + ["--format", "pgm"], stdin: image + image)
        let pgms = twice.stdout.count / 2
        #expect(twice.status == 0 && pgms > 784)
        #expect(Array(twice.stdout[..<pgms]) != Array(twice.stdout[pgms...]), "the second image gets stream 1")
        let once = try CLI.run(model + Self.noise + ["--format", "pgm"], stdin: image)
        #expect(firstDifference(once.stdout, Array(twice.stdout[..<pgms])) == nil)
    }
}
