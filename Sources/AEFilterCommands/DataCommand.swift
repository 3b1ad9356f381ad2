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
            discussion: """
                Downloads over HTTP or HTTPS with libcurl (package libcurl4), which follows redirects and takes \
                proxies from http_proxy, https_proxy, ALL_PROXY and no_proxy. Partial downloads resume from \
                DIR/NAME.part; a file gets its final name only once its MD5 matches. SIGINT or SIGTERM stops the \
                download and keeps the .part. On a terminal, a line per file shows the progress.
                """
        )

        @Argument(
            help: ArgumentHelp(
                "Where to put them (default: $AE_FILTER_DATA, else ~/.cache/ae-filter/fashion-mnist).", valueName: "DIR"
            ))
        var directory: String?

        @Option(help: ArgumentHelp("The same as DIR, as the other commands spell it.", valueName: "DIR"))
        var data: String?

        @Option(
            help: ArgumentHelp("Mirror to download from: http:// or https://, ending in the folder.", valueName: "URL"))
        var url: String = FashionMNIST.baseURL

        @Option(
            help: ArgumentHelp(
                "CA certificates (PEM) to verify an HTTPS server with (default: $CURL_CA_BUNDLE, else $SSL_CERT_FILE, else the system's).",
                valueName: "FILE"))
        var cacert: String?

        @Option(help: ArgumentHelp("Tries per file.", valueName: "N"))
        var attempts: Int = 4

        @Flag(name: .shortAndLong, help: "Print only errors: no progress, no per-file lines.")
        var quiet = false

        func validate() throws {
            let scheme = url.lowercased()
            guard scheme.hasPrefix("http://") || scheme.hasPrefix("https://") else {
                throw ValidationError("--url must be an http:// or https:// URL")
            }
            guard (1...20).contains(attempts) else { throw ValidationError("--attempts must be between 1 and 20") }
            if directory != nil, data != nil { throw ValidationError("give the directory once: DIR or --data DIR") }
            if let cacert, Path.access(cacert, R_OK) != 0 {
                throw ValidationError("--cacert \(Path.display(cacert)): \(String(cString: strerror(errno)))")
            }
        }

        func run() throws {
            let target = DataDirectory.resolve(data ?? directory)
            var fetch = DatasetFetch(baseURL: url, directory: target)
            fetch.attempts = attempts
            fetch.caFile = cacert
            fetch.shouldStop = StopSignal.requested
            if !quiet { fetch.log = { Diagnostics.report("data fetch", $0) } }
            var line: ProgressLine?
            fetch.progress = { event in
                switch event {
                case .began(let file, let bytes):
                    line = ProgressLine(label: file.name, quiet: quiet)
                    line?.start(total: file.bytes, at: bytes)
                case .received(let bytes):
                    line?.update(bytes)
                case .ended:
                    line?.finish()
                    line = nil
                }
            }
            do { try fetch.run() } catch {
                // Stopped by a signal: the .part files stay; nothing more to say.
                if let stop = StopSignal.exitStatus { throw ExitCode(stop) }
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
            let dataset = try loadData(data, testOnly: split == "test", use: "exporting")
            let images = split == "test" ? dataset.test : dataset.train
            guard start < images.count else {
                throw ValidationError("--start \(start) is past the end of the \(split) split (\(images.count) images)")
            }
            if let info = Path.status(out), (info.st_mode & S_IFMT) != S_IFDIR {
                Diagnostics.report(out, "is not a folder")
                throw ExitCode.failure
            }
            do {
                try Path.makeDirectories(out)
            } catch {
                Diagnostics.report(out, "cannot create the directory: \(error.reason)")
                throw ExitCode.failure
            }
            // Files are made inside this folder: a link where one goes is replaced, never followed out.
            let folder = Path.open(out, Path.pathOnly | O_DIRECTORY | O_CLOEXEC)
            guard folder >= 0 else {
                Diagnostics.report(out, String(cString: strerror(errno)))
                throw ExitCode.failure
            }
            defer { close(folder) }
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
                    try AtomicFile.write(png, to: name, in: folder, durable: false)
                } catch {
                    Diagnostics.report("\(out)/\(name)", error.reason)
                    throw ExitCode.failure
                }
            }
        }
    }
}
