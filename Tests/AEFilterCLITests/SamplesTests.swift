import Foundation
import TestSupport
import Testing

/// Every script in Samples/scripts, run against the built binary.
@Suite(.serialized, .needsData) struct SamplesTests {
    static let data = Fixtures.dataDirectory

    func script(_ name: String, _ arguments: [String], in directory: String? = nil) throws -> CLI.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["AE_FILTER"] = CLI.binary
        return try CLI.run(
            executable: "/bin/bash", [Fixtures.root.appendingPathComponent("Samples/scripts/\(name)").path] + arguments,
            in: directory, environment: environment)
    }

    /// N test images exported as PNGs, split over two folders.
    func images(_ count: Int) throws -> String {
        let dir = try CLI.temporaryDirectory()
        let export = try CLI.run([
            "data", "export", "--data", Self.data, "--limit", String(count), "--out", "\(dir)/in/a",
        ])
        #expect(export.status == 0)
        try FileManager.default.createDirectory(atPath: "\(dir)/in/b", withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: "\(dir)/in/a").sorted().prefix(count / 2) {
            try FileManager.default.moveItem(atPath: "\(dir)/in/a/\(name)", toPath: "\(dir)/in/b/\(name)")
        }
        return dir
    }

    @Test func denoiseFolderMirrorsAndResumes() throws {
        let dir = try images(20)
        let first = try script("denoise-folder.sh", ["\(dir)/in", "\(dir)/out"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try filesUnder("\(dir)/out") == filesUnder("\(dir)/in"))
        let again = try script("denoise-folder.sh", ["\(dir)/in", "\(dir)/out"])
        #expect(again.stderrLines.last == "ae-filter: summary: 0 processed, 0 failed, 20 skipped")
    }

    @Test func findFilesFromKeepsRelativePaths() throws {
        let dir = try images(10)
        let result = try script("find-files-from.sh", ["in", "out"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try filesUnder("\(dir)/out") == filesUnder("\(dir)/in").map { "in/\($0)" })
    }

    @Test func parallelChunksCoverEveryFile() throws {
        let dir = try images(1100)  // three chunks of up to 500
        let result = try script("parallel-chunks.sh", ["\(dir)/in", "\(dir)/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let inputs = try filesUnder("\(dir)/in").map { String(dir.dropFirst()) + "/in/" + $0 }
        #expect(try filesUnder("\(dir)/out") == inputs.sorted())
    }

    @Test func trainThenEvalWritesAModelMetricsAndASample() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try script("train-then-eval.sh", [Self.data, "\(dir)/run", "300"])
        #expect(result.status == 0, "\(result.stderr)")
        let metrics =
            try JSONSerialization.jsonObject(with: Data(Fixtures.bytes("\(dir)/run/eval.json"))) as? [String: Any]
        #expect(metrics != nil)
        let info = try CLI.run(["info", "\(dir)/run/model.safetensors"])
        #expect(String(decoding: info.stdout, as: UTF8.self).contains("300"))
        #expect(try png(Fixtures.bytes("\(dir)/run/shirt-triptych.png")).width == 84 * 4)
    }

    @Test func triptychGridStacksOneRowPerImage() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try script("triptych-grid.sh", [Self.data, "\(dir)/grid", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let grid = try Fixtures.bytes("\(dir)/grid.pgm")
        let header = Array("P5\n336 336\n255\n".utf8)
        #expect(Array(grid.prefix(header.count)) == header && grid.count == header.count + 336 * 336)
        // Each row is that image's triptych as a PGM of its own.
        let export = try CLI.run(["data", "export", "--data", Self.data, "--limit", "3", "--out", "\(dir)/in"])
        #expect(export.status == 0)
        let frames = try CLI.run([
            "--noise", "0.5", "--seed", "1", "--emit", "triptych", "--scale", "4", "--format", "pgm", "\(dir)/in",
        ]).stdout
        let frameHeader = Array("P5\n336 112\n255\n".utf8)
        let size = 336 * 112
        #expect(frames.count == 3 * (frameHeader.count + size))
        for row in 0..<3 {
            let start = row * (frameHeader.count + size) + frameHeader.count
            #expect(Array(frames[start..<start + size]) == Array(grid[(header.count + row * size)...].prefix(size)))
        }
    }

    @Test func compareModelsPutsBothModelsSideBySide() throws {
        let dir = try CLI.temporaryDirectory()
        let export = try CLI.run(["data", "export", "--data", Self.data, "--limit", "2", "--out", "\(dir)/in"])
        #expect(export.status == 0)
        let inputs = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/in").sorted().map { "\(dir)/in/\($0)" }
        let result = try script("compare-models.sh", ["0.5", "\(dir)/grid"] + inputs)
        #expect(result.status == 0, "\(result.stderr)")
        let grid = try Fixtures.bytes("\(dir)/grid.pgm")
        // Four panels of 112 pixels with three gaps of 2, two rows of 112.
        let header = Array("P5\n454 224\n255\n".utf8)
        #expect(Array(grid.prefix(header.count)) == header && grid.count == header.count + 454 * 224)
        // The tutorial's panel and the blind model's differ; the input panel is the input.
        let row = Array(grid[(header.count + 60 * 454)...].prefix(454))
        #expect(row[228..<340] != row[342..<454])
        let input = try CLI.run(["--emit", "input", "--scale", "4", "--format", "pgm", inputs[0]]).stdout
        let pixels = Array(input.suffix(112 * 112))
        #expect(Array(pixels[(60 * 112)..<(61 * 112)]) == Array(row[0..<112]))
    }
}
