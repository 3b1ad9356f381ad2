import AEFilterCore
import Foundation
import TestSupport
import Testing

/// `eval`: the model against the noisy input and a 3×3 median, as a table or JSON.
@Suite(.serialized, .needsData) struct EvalCommandTests {
    @Test func evalReportsModelAndBaselinesAsJSON() throws {
        let result = try CLI.run(["eval", "--model", Fixtures.referenceCheckpoint, "--repeats", "1", "--json"] + data)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.count == 11)
        #expect(rows[0]["class"] as? String == "all" && rows[5]["class"] as? String == "coat")
        let model = try #require(rows[0]["model"] as? [String: Double])
        #expect(abs(model["psnr"]! - 19.48) < 0.05)
        let median = try #require(rows[0]["median3x3"] as? [String: Double])
        #expect(abs(median["psnr"]! - 9.05) < 0.03)
    }

    /// `--levels`: one overall row per level, each the figures `--noise` gives for that level.
    @Test func evalOverLevels() throws {
        let levels = try CLI.run(
            ["eval", "--model", Fixtures.referenceCheckpoint, "--repeats", "1", "--levels", "0,0.5", "--json"] + data)
        #expect(levels.status == 0, "\(levels.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(levels.stdout)) as? [String: Any])
        let rows = try #require(json["levels"] as? [[String: Any]])
        #expect(rows.map { $0["noise"] as? Double } == [0, 0.5])
        let clean = try #require(rows[0]["noisy"] as? [String: Any])
        #expect(clean["mse"] as? Double == 0, "a clean input is its own target")
        let single = try CLI.run(["eval", "--model", Fixtures.referenceCheckpoint, "--repeats", "1", "--json"] + data)
        let one = try #require(try JSONSerialization.jsonObject(with: Data(single.stdout)) as? [String: Any])
        let overall = try #require((one["rows"] as? [[String: Any]])?.first)
        #expect((rows[1]["model"] as? [String: Double]) == (overall["model"] as? [String: Double]))
        let table = try CLI.run(
            ["eval", "--model", Fixtures.referenceCheckpoint, "--repeats", "1", "--levels", "0.1"] + data)
        #expect(CLI.lines(table).count == 3 && CLI.lines(table)[2].hasPrefix("0.1 "))
        let both = try CLI.run(["eval", "--noise", "0.5", "--levels", "0.1"] + data)
        #expect(both.status == 64)
    }

    /// `eval --json` with no noise has an infinite PSNR for the noisy input: it comes out as null.
    @Test(.needsData) func evalJSONParsesWhateverTheNumbers() throws {
        let result = try CLI.run(["eval", "--noise", "0", "--repeats", "1", "--json"] + data)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try parsesStrictly(result.stdout))
        #expect(String(decoding: result.stdout, as: UTF8.self).contains("\"psnr\":null"))
    }
}

/// eval takes a checkpoint's noise metadata only as a valid level of a loaded
/// noise model, and blames the key, not options the user never gave
/// (issue 24, M4). These fail before the data is read.
@Suite struct EvalMetadataTests {
    /// A small tutorial checkpoint whose metadata then gets `metadata` (over what serializing writes).
    static func checkpoint(in dir: String, _ metadata: [String: String]) throws -> String {
        let path = "\(dir)/m.safetensors"
        let written = Checkpoint(model: Fixtures.randomModel(hidden: 8)).serialized()
        let (tensors, existing) = try SafeTensors.parse(written)
        let bytes = SafeTensors.serialize(tensors, metadata: existing.merging(metadata) { $1 })
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [
        (["noise": "nan"], "metadata noise 'nan' is not a noise level (0 or more): give --noise or --levels"),
        (["noise": "-0.5"], "metadata noise '-0.5' is not a noise level (0 or more)"),
        (["noise": "2"], "metadata noise '2' is not a level of the dropout noise model"),
        (["noise": "2", "noise_model": "mask"], "metadata noise '2' is not a level of the mask noise model"),
        (["noise": "0.5", "noise_model": "no-such"], "metadata noise_model 'no-such' is not a loaded noise model"),
        (["noise": "inf", "noise_model": "gaussian"], "metadata noise 'inf' is not a noise level"),
    ])
    func badNoiseMetadataIsNamed(metadata: [String: String], message: String) throws {
        let dir = try CLI.temporaryDirectory()
        let path = try Self.checkpoint(in: dir, metadata)
        let result = try CLI.run(["eval", "--model", path, "--data", "\(dir)/no-data"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines == ["ae-filter: \(path): \(message)"] || result.stderr.contains(message))
        #expect(!result.stderr.contains("--noise-model/"), "\(result.stderr)")
        // An option given by the user overrides the metadata, which is then not judged.
        let given = try CLI.run([
            "eval", "--model", path, "--noise", "0.3", "--noise-model", "mask", "--data", "\(dir)/no-data",
        ])
        #expect(given.stderrLines.last?.hasPrefix("ae-filter: data: ") == true, "\(given.stderr)")
        #expect(!given.stderr.contains("metadata noise"), "\(given.stderr)")
    }
}

extension EvalMetadataTests {
    /// A leaky_relu slope far outside a fraction is refused where the checkpoint is read.
    @Test(arguments: ["-1e30", "2", "inf"])
    func anAbsurdSlopeIsRefused(slope: String) throws {
        let dir = try CLI.temporaryDirectory()
        let path = try Self.checkpoint(in: dir, ["architecture.negative_slope": slope])
        let result = try CLI.run(["--model", path, "--format", "pgm", shirt])
        #expect(result.status == 1)
        #expect(result.stderr.contains("metadata negative_slope '\(slope)'"), "\(result.stderr)")
    }

    /// A level the user gave is blamed on the option, not on the metadata
    /// whose noise model it was meant for.
    @Test func aBadLevelForTheRecordedNoiseModelBlamesTheOption() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try Self.checkpoint(in: dir, ["noise_model": "dropout", "noise": "0.5"])
        let result = try CLI.run(["eval", "--model", path, "--noise", "2", "--data", "\(dir)/no-data"])
        #expect(result.status == 64)
        #expect(
            result.stderr.contains(
                "--noise (for the noise model the checkpoint names): dropout noise needs a probability"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("metadata"))
    }

    /// A noise model that is not loaded is one error, not a note and then an error.
    @Test func anUnloadedNoiseModelIsOneLine() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try Self.checkpoint(in: dir, ["noise_model": "Dropout", "noise": "0.5"])
        let result = try CLI.run(["eval", "--model", path, "--data", "\(dir)/no-data"])
        #expect(result.status == 1)
        #expect(
            result.stderrLines == [
                "ae-filter: \(path): metadata noise_model 'Dropout' is not a loaded noise model: give --noise-model"
            ], "\(result.stderr)")
    }
}

/// eval reads the test files alone, and says so when they are not the
/// official ones, as train does (issue 24, L2).
@Suite(.needsData) struct EvalDataTests {
    @Test func evalNeedsOnlyTheTestFiles() throws {
        let dir = try CLI.temporaryDirectory()
        for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.createSymbolicLink(
                atPath: "\(dir)/\(name)", withDestinationPath: Fixtures.data(name))
        }
        let result = try CLI.run(["eval", "--model", "tutorial", "--repeats", "1", "--data", dir])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(CLI.lines(result).first?.hasPrefix("test set: 10000 images") == true)
    }

    @Test func evalOfTamperedDataWarns() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createSymbolicLink(
            atPath: "\(dir)/t10k-labels-idx1-ubyte.gz", withDestinationPath: Fixtures.data("t10k-labels-idx1-ubyte.gz"))
        // All-black images: a model's output is then easy to score well.
        let zeros: [UInt8] =
            [0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28] + [UInt8](repeating: 0, count: 7_840_000)
        try Data(zeros).write(to: URL(fileURLWithPath: "\(dir)/t10k-images-idx3-ubyte"))
        let result = try CLI.run(["eval", "--model", "tutorial", "--repeats", "1", "--data", dir])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderrLines == [
                "ae-filter: data: these are not the official Fashion-MNIST files (MD5 mismatch); evaluating anyway"
            ])
    }
}
