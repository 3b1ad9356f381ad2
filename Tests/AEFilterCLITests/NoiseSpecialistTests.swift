import Foundation
import TestSupport
import Testing

/// Noise the tool adds gets the model trained for it; `eval --grid` shows
/// every noise model at once; `train --noise-mix` trains on a mixture.
@Suite struct NoiseSpecialistTests {
    static let noisy = ["--noise", "0.2", "--seed", "3", "--format", "pgm", shirt]

    @Test(arguments: [("gaussian", "gaussian"), ("mask", "mask"), ("salt-pepper", "salt-pepper"), ("dropout", "blind")])
    func addedNoiseGetsItsSpecialist(noise: String, model: String) throws {
        let chosen = try CLI.run(["--noise-model", noise] + Self.noisy)
        let named = try CLI.run(["--noise-model", noise, "--model", model] + Self.noisy)
        #expect(chosen.status == 0 && chosen.stderr.isEmpty, "\(chosen.stderr)")
        #expect(named.status == 0 && named.stderr.isEmpty, "\(named.stderr)")
        #expect(firstDifference(chosen.stdout, named.stdout) == nil)
        if model != "blind" {
            let blind = try CLI.run(["--noise-model", noise, "--model", "blind"] + Self.noisy)
            #expect(firstDifference(chosen.stdout, blind.stdout) != nil)
        }
    }

    /// Without added noise the default model denoises, whatever --noise-model says.
    @Test func noAddedNoiseGetsTheDefault() throws {
        let plain = try CLI.run(["--format", "pgm", shirt])
        let named = try CLI.run(["--noise-model", "gaussian", "--format", "pgm", shirt])
        let universal = try CLI.run(["--model", "universal", "--format", "pgm", shirt])
        #expect(plain.status == 0 && named.status == 0 && universal.status == 0)
        #expect(firstDifference(plain.stdout, named.stdout) == nil)
        #expect(firstDifference(plain.stdout, universal.stdout) == nil)
    }

    /// A model given for noise it was not trained on still runs, with one note.
    @Test func anotherNoiseModelGetsANoteNotARefusal() throws {
        let result = try CLI.run(["--noise-model", "gaussian", "--model", "blind"] + Self.noisy)
        #expect(result.status == 0)
        #expect(
            result.stderrLines == [
                "ae-filter: blind: note: trained on dropout noise, not gaussian; denoising anyway "
                    + "(without --model, gaussian noise gets the gaussian model)"
            ], "\(result.stderr)")
        let universal = try CLI.run(["--noise-model", "gaussian", "--model", "universal"] + Self.noisy)
        #expect(universal.status == 0 && universal.stderr.isEmpty, "\(universal.stderr)")
    }

    /// Each embedded model records the noise it was trained on.
    @Test(arguments: [
        ("gaussian", "train.noise_model: gaussian"), ("mask", "train.noise_model: mask"),
        ("salt-pepper", "train.noise_model: salt-pepper"), ("blind", "train.noise_range: 0.0:0.7"),
        ("universal", "train.noise_mix: dropout=0.0:0.7,mask=0.0:0.6,salt-pepper=0.0:0.3,gaussian=0.0:0.4"),
    ])
    func embeddedModelsRecordTheirNoise(model: String, line: String) throws {
        let result = try CLI.run(["info", model])
        #expect(result.status == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self).contains("  \(line)\n"))
    }
}

/// `eval --grid`: every cell of the grid beside the noisy input and the median.
@Suite(.serialized, .needsData) struct EvalGridTests {
    @Test func aGridForOneModelAsJSONAndAPlot() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(
            [
                "eval", "--model", "tutorial", "--repeats", "1", "--limit", "2000", "--grid-levels",
                "gaussian=0.1;mask=0.1,0.3",
                "--json",
                "--plot", "\(dir)/grid.svg",
            ] + data)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let cells = try #require(json["cells"] as? [[String: Any]])
        #expect(cells.map { $0["noise_model"] as? String } == [nil, "gaussian", "mask", "mask"])
        #expect(cells.map { $0["noise"] as? Double } == [0, 0.1, 0.1, 0.3])
        #expect(cells.allSatisfy { $0["model_name"] as? String == "tutorial" && $0["count"] as? Int == 2000 })
        // The margin is the model's PSNR over the best finite baseline.
        let mask = cells[3]
        let psnr = { (key: String) in (mask[key] as? [String: Double])?["psnr"] ?? .nan }
        let margin = try #require(mask["margin_db"] as? Double)
        #expect(abs(margin - (psnr("model") - max(psnr("noisy"), psnr("median3x3")))) < 1e-9)
        let svg = try String(contentsOfFile: "\(dir)/grid.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(svg.contains(">gaussian</text>") && svg.contains(">mask</text>"))
    }

    /// Without --model each row uses what the filter would: the specialist, the default when clean.
    @Test func withoutAModelEachRowGetsTheFiltersChoice() throws {
        let result = try CLI.run(["eval", "--repeats", "1", "--limit", "500", "--grid-levels", "gaussian=0.2"] + data)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = CLI.lines(result)
        #expect(lines.count == 4, "\(lines)")
        #expect(lines[0].hasPrefix("test set: 500 images, "))
        #expect(lines[1].hasPrefix("noise        level  model        PSNR"))
        #expect(lines[2].hasPrefix("clean        0.0    universal    "))
        #expect(lines[3].hasPrefix("gaussian     0.2    gaussian     "))
    }

    @Test(arguments: [
        ["--grid", "--noise", "0.1"], ["--grid", "--levels", "0.1"], ["--grid", "--noise-model", "mask"],
        ["--plot", "x.svg"], ["--grid", "--plot", ""], ["--grid-levels", "bogus=0.1"], ["--grid-levels", "mask=2"],
        ["--grid-levels", "mask"], ["--grid-levels", "mask=0.1;mask=0.2"], ["--grid", "--limit", "0"],
    ])
    func usageErrorsExit64(arguments: [String]) throws {
        let result = try CLI.run(["eval"] + arguments + ["--data", "/nonexistent"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderrLines.first?.hasPrefix("ae-filter: ") == true, "\(result.stderr)")
    }
}

/// `train --noise-mix`: recorded in the checkpoint, the same bytes for the same seed.
@Suite(.serialized, .needsData) struct NoiseMixTrainingTests {
    static let short = [
        "train", "--architecture", "unet", "--channels", "4", "--depth", "1", "--batch-size", "8", "--iterations", "4",
        "--eval-every", "4", "-q", "--noise-mix", "dropout=0:0.7,gaussian=0:0.3,salt-pepper=0:0.2",
    ]

    @Test func aMixtureRunIsRecordedAndRepeatable() throws {
        // The same command line in two folders: train.command is part of the file.
        let (dir, second) = (try CLI.temporaryDirectory(), try CLI.temporaryDirectory())
        let first = try CLI.run(Self.short + data + ["-o", "m.safetensors"], in: dir)
        let again = try CLI.run(Self.short + data + ["-o", "m.safetensors"], in: second)
        #expect(first.status == 0 && again.status == 0, "\(first.stderr)")
        let a = try Fixtures.bytes("\(dir)/m.safetensors")
        #expect(firstDifference(a, try Fixtures.bytes("\(second)/m.safetensors")) == nil)
        let info = String(decoding: try CLI.run(["info", "\(dir)/m.safetensors"]).stdout, as: UTF8.self)
        #expect(info.contains("  train.noise_mix: dropout=0.0:0.7,gaussian=0.0:0.3,salt-pepper=0.0:0.2\n"))
        // Another mixture trains another model.
        let third = try CLI.temporaryDirectory()
        let other = try CLI.run(
            Self.short.map { $0.hasPrefix("dropout=") ? "dropout=0:0.7,gaussian=0:0.3" : $0 } + data + [
                "-o", "m.safetensors",
            ], in: third)
        #expect(other.status == 0)
        #expect(firstDifference(a, try Fixtures.bytes("\(third)/m.safetensors")) != nil)
    }

    @Test(arguments: [
        ["--noise-mix", "dropout=0:0.7,bogus=0:1"], ["--noise-mix", "dropout"], ["--noise-mix", "dropout=0.7:0"],
        ["--noise-mix", "salt-pepper=0:2"], ["--noise-mix", "dropout=0:1", "--noise-range", "0:1"],
    ])
    func badMixturesAreUsageErrors(arguments: [String]) throws {
        let result = try CLI.run(["train", "-o", "/tmp/never.safetensors", "--data", "/nonexistent"] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderrLines.first?.contains("--noise-mix") == true || result.stderr.contains("not both"))
    }
}
