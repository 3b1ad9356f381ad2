import AEFilterCore
import AEImageIO
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct FilterCommandTests {
    @Test func denoisesStdinToStdout() throws {
        let result = try CLI.run(model + ["--noise", "0.5", "--seed", "1"], stdin: Fixtures.bytes(shirt))
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let out = try png(result.stdout)
        #expect(out.width == 28 && out.height == 28 && out.channels == 1)
        // The denoised shirt is closer to the clean one than the noisy input is.
        let clean = try png(Fixtures.bytes(shirt)).pixels
        let noisy = try png(
            CLI.run(model + ["--noise", "0.5", "--seed", "1", "--emit", "noisy"], stdin: Fixtures.bytes(shirt)).stdout
        ).pixels
        func mse(_ a: [UInt8]) -> Double { zip(a, clean).map { pow(Double($0) - Double($1), 2) }.reduce(0, +) / 784 }
        #expect(mse(out.pixels) < mse(noisy) / 4)
    }

    @Test func greyscale28x28InputPassesThroughBitExactly() throws {
        let result = try CLI.run(model + ["--emit", "input", shirt])
        #expect(result.status == 0)
        #expect(try png(result.stdout).pixels == png(Fixtures.bytes(shirt)).pixels)
    }

    @Test func seedMakesNoiseReproducible() throws {
        let args = model + ["--noise", "0.5", "--emit", "noisy", shirt]
        let a = try CLI.run(args + ["--seed", "5"]).stdout
        let b = try CLI.run(args + ["--seed", "5"]).stdout
        let c = try CLI.run(args + ["--seed", "6"]).stdout
        #expect(firstDifference(a, b) == nil)
        #expect(a != c)
        let masked = try png(
            CLI.run(
                model + [
                    "--noise", "0.5", "--noise-model", "mask", "--emit", "noisy", "--seed", "1", "--fit", "stretch",
                ],
                stdin: EncodePNG().process(GrayImage(width: 28, height: 28, pixels: .init(repeating: 100, count: 784)))
            ).stdout
        ).pixels
        let zeros = masked.filter { $0 == 0 }.count
        #expect((330...454).contains(zeros))
        #expect(masked.allSatisfy { $0 == 0 || $0 == 100 })
    }

    @Test func manyFilesGoToStdoutInOrder() throws {
        let dir = try CLI.temporaryDirectory()
        let white = "\(dir)/white.pgm"
        try Data("P5 28 28 255\n".utf8 + [UInt8](repeating: 200, count: 784)).write(to: URL(fileURLWithPath: white))
        let result = try CLI.run(model + ["--emit", "input", "--invert", "off", shirt, white, shirt])
        #expect(result.status == 0)
        let images = try splitPNGs(result.stdout).map { try png($0).pixels }
        #expect(images.count == 3)
        #expect(images[0] == images[2] && images[1] == [UInt8](repeating: 200, count: 784))
    }

    @Test func outputFileAndDirectory() throws {
        let dir = try CLI.temporaryDirectory()
        let single = try CLI.run(model + ["-o", "\(dir)/one.png", shirt])
        #expect(single.status == 0 && single.stdout.isEmpty)
        #expect(try png(Fixtures.bytes("\(dir)/one.png")).width == 28)
        // An existing output is replaced.
        let before = try Fixtures.bytes("\(dir)/one.png")
        #expect(try CLI.run(model + ["--emit", "triptych", "-o", "\(dir)/one.png", shirt]).status == 0)
        #expect(try Fixtures.bytes("\(dir)/one.png") != before)

        let jpeg = Fixtures.fixture("gray.jpg")
        let multi = try CLI.run(model + ["-o", "\(dir)/out/", shirt, jpeg], stdin: [])
        #expect(multi.status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/out").sorted()
        #expect(names == ["gray.png", "shirt.png"])
    }

    @Test func badInputsAreReportedAndTheRestStillProcessed() throws {
        let dir = try CLI.temporaryDirectory()
        let corrupt = "\(dir)/corrupt.png"
        try Data(Fixtures.bytes(shirt).prefix(100)).write(to: URL(fileURLWithPath: corrupt))
        let text = "\(dir)/notes.png"
        try Data("just text\n".utf8).write(to: URL(fileURLWithPath: text))
        let result = try CLI.run(
            model + ["-o", "\(dir)/out/", shirt, corrupt, "\(dir)/missing.png", text, Fixtures.fixture("cmyk.jpg")])
        #expect(result.status == 1)
        #expect(
            result.stderrLines == [
                "ae-filter: \(corrupt): invalid PNG: truncated PNG data (chunk IDAT claims 621 bytes)",
                "ae-filter: \(dir)/missing.png: No such file or directory",
                "ae-filter: \(text): not a PNG, JPEG or PNM image",
            ])
        // Good inputs written, nothing for the bad ones, no temporary files left.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: "\(dir)/out").sorted() == ["cmyk.png", "shirt.png"])
    }

    @Test(arguments: [
        ["--noise", "-1"], ["--noise", "1.5"], ["--noise-model", "pink"], ["--noise", "0.5", "--noise-model", "pink"],
        ["--backend", "gpu"], ["--scale", "0"], ["--fit", "diagonal"], ["--invert", "maybe"], ["--emit", "all"],
        ["--threads", "0"], ["--max-pixels", "0"], ["--no-such-option"], ["-o", "/tmp/x.png", "a.png", "b.png"],
    ])
    func usageErrorsExit64(arguments: [String]) throws {
        let result = try CLI.run(model + arguments, stdin: Fixtures.bytes(shirt))
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        // One line with the tool's prefix, then the usage.
        #expect(result.stderr.hasPrefix("ae-filter: "))
        #expect(result.stderr.contains("Usage: ae-filter"))
    }

    @Test func badModelIsNamedAndNothingIsWritten() throws {
        let dir = try CLI.temporaryDirectory()
        let truncated = "\(dir)/model.safetensors"
        try Data(Fixtures.bytes(Fixtures.referenceCheckpoint).prefix(5000)).write(to: URL(fileURLWithPath: truncated))
        let result = try CLI.run(["--model", truncated, "-o", "\(dir)/out.png", shirt])
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.hasPrefix("ae-filter: \(truncated): tensor '"))
        #expect(result.stderr.contains("outside the data"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out.png"))

        let missing = try CLI.run(["--model", "\(dir)/nope.safetensors", shirt])
        #expect(missing.status == 1)
        #expect(missing.stderr == "ae-filter: \(dir)/nope.safetensors: No such file or directory\n")
    }

    @Test func theEmbeddedDefaultModelDenoisesWithoutAnyFile() throws {
        let dir = try CLI.temporaryDirectory()
        // Run from another directory with a copy of the binary: the model travels inside it.
        try FileManager.default.copyItem(atPath: CLI.binary, toPath: "\(dir)/ae-filter")
        let result = try CLI.run(
            executable: "\(dir)/ae-filter", ["--noise", "0.5", "--seed", "1"], stdin: Fixtures.bytes(shirt), in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let clean = try png(Fixtures.bytes(shirt)).pixels
        let out = try png(result.stdout).pixels
        let mse = zip(out, clean).map { pow(Double($0) - Double($1), 2) / 65025 }.reduce(0, +) / 784
        #expect(10 * log10(1 / mse) > 17)
    }

    @Test func neverOverwritesAnInput() throws {
        let dir = try CLI.temporaryDirectory()
        let copy = "\(dir)/shirt.png"
        try FileManager.default.copyItem(atPath: shirt, toPath: copy)
        let result = try CLI.run(model + ["-o", "\(dir)/", copy])
        #expect(result.status == 1)
        #expect(result.stderr == "ae-filter: \(copy): refusing to overwrite the input with its output\n")
        #expect(try firstDifference(Fixtures.bytes(copy), Fixtures.bytes(shirt)) == nil)
    }

    @Test func triptychAndScale() throws {
        let out = try png(CLI.run(model + ["--emit", "triptych", "--scale", "3", "--noise", "0.5", shirt]).stdout)
        #expect(out.width == 28 * 3 * 3 && out.height == 28 * 3)
    }

    @Test func backendsAgree() throws {
        let cpu = try png(CLI.run(model + ["--backend", "cpu", shirt]).stdout).pixels
        let blas = try png(CLI.run(model + ["--backend", "blas", "--threads", "1", shirt]).stdout).pixels
        #expect(cpu.count == 784)
        #expect(zip(cpu, blas).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
    }

    @Test func pluginsListsEveryNoiseModelAndBackend() throws {
        let result = try CLI.run(["plugins"])
        #expect(result.status == 0)
        let text = String(decoding: result.stdout, as: UTF8.self)
        for name in ["dropout", "mask", "salt-pepper", "gaussian", "cpu", "blas"] {
            #expect(text.contains("  \(name) "), "missing \(name)")
        }
    }

    /// A limit on processes takes threads away: the filter runs with the
    /// workers it gets, or says in one line that it got none. Run as another
    /// user (only root can switch), whose processes the limit counts.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func aLimitOnThreadsIsWorkedWithinOrNamed() throws {
        let inputs = [shirt, Fixtures.root.appendingPathComponent("Samples/dark-shirt-photo.jpg").path]
        let free = try CLI.run(inputs)
        #expect(free.status == 0)
        func limited(_ processes: Int) throws -> CLI.Result {
            try CLI.run(
                executable: "/usr/bin/setpriv",
                ["--reuid=54321", "--regid=54321", "--clear-groups", "prlimit", "--nproc=\(processes)", CLI.binary]
                    + inputs)
        }
        // The main thread, the reader, the U-Net's helper, one worker.
        let four = try limited(4)
        #expect(four.status == 0, "\(four.stderr)")
        #expect(firstDifference(four.stdout, free.stdout) == nil)
        let two = try limited(2)
        #expect(two.status == 1)
        #expect(two.stderrLines == ["ae-filter: cannot start a thread: Resource temporarily unavailable"])
    }
}
