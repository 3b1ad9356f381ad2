import AEData
import AEFilterCore
import AEImageIO
import AESystem
import ArgumentParser
import Glibc

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Download and export the Fashion-MNIST data.",
        subcommands: [Fetch.self, Export.self]
    )

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the four official Fashion-MNIST files, checking their MD5s.",
            discussion:
                "Partial downloads resume from DIR/NAME.part; a file gets its final name only once its MD5 matches."
        )

        @Argument(
            help: ArgumentHelp(
                "Where to put them (default: $AE_FILTER_DATA, else ~/.cache/ae-filter/fashion-mnist).", valueName: "DIR"
            ))
        var directory: String?

        @Option(help: ArgumentHelp("Mirror to download from.", valueName: "URL"))
        var url: String = FashionMNIST.baseURL

        @Option(help: ArgumentHelp("Tries per file.", valueName: "N"))
        var attempts: Int = 4

        func validate() throws {
            guard url.hasPrefix("http://") else { throw ValidationError("--url must be an http:// URL") }
            guard (1...20).contains(attempts) else { throw ValidationError("--attempts must be between 1 and 20") }
        }

        func run() throws {
            let target = DataDirectory.resolve(directory)
            var fetch = DatasetFetch(baseURL: url, directory: target)
            fetch.attempts = attempts
            fetch.log = { Diagnostics.report("data fetch", $0) }
            do { try fetch.run() } catch {
                Diagnostics.report(target, error)
                throw ExitCode.failure
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write dataset images as PNG files named by index and label, e.g. 00010-coat.png."
        )

        @Option(help: "Which split: test or train.")
        var split: String = "test"

        @Option(help: ArgumentHelp("Output directory.", valueName: "DIR"))
        var out: String

        @Option(help: ArgumentHelp("Export only the first N images.", valueName: "N"))
        var limit: Int?

        @Option(help: ArgumentHelp("Start at image N.", valueName: "N"))
        var start: Int = 0

        @Option(
            help: ArgumentHelp(
                "Directory with the Fashion-MNIST files (default: $AE_FILTER_DATA, else ~/.cache/ae-filter/fashion-mnist).",
                valueName: "DIR"))
        var data: String?

        func validate() throws {
            guard split == "test" || split == "train" else { throw ValidationError("--split must be test or train") }
            if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
            guard start >= 0 else { throw ValidationError("--start must be 0 or more") }
        }

        func run() throws {
            let dataset = try loadData(data)
            let images = split == "test" ? dataset.test : dataset.train
            guard start < images.count else {
                throw ValidationError("--start \(start) is past the end of the \(split) split (\(images.count) images)")
            }
            do {
                try Path.makeDirectories(out)
            } catch {
                Diagnostics.report(out, "cannot create the directory: \(error.reason)")
                throw ExitCode.failure
            }
            let end = min(images.count, start + (limit ?? images.count))
            let encoder = EncodePNG()
            let digits = String(images.count - 1).count
            for i in start..<end {
                if StopSignal.requested() { return }
                let pixels = Array(images.pixels[i * Geometry.pixels..<(i + 1) * Geometry.pixels])
                let png = encoder.process(GrayImage(width: Geometry.side, height: Geometry.side, pixels: pixels))
                let index = String(i)
                let name =
                    String(repeating: "0", count: max(0, max(5, digits) - index.count)) + index + "-"
                    + ImageSet.classNames[Int(images.labels[i])] + ".png"
                do {
                    try AtomicFile.write(png, to: "\(out)/\(name)", durable: false, replacingSpecialFiles: true)
                } catch {
                    Diagnostics.report("\(out)/\(name)", error.reason)
                    throw ExitCode.failure
                }
            }
        }
    }
}
