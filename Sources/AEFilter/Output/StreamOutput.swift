import AEFilterCore
import AEImageIO
import AESystem
import Glibc

/// Results written one after another on one channel: a PNG or PGM stream, one
/// IDX3 file, or lines of `key<TAB>base64`.
final class StreamOutput {
    enum Mode {
        case images(OutputFormat)
        /// KEY<TAB>base64 lines, each image in this format.
        case lines(OutputFormat)
    }

    private let channel: OutputChannel
    private let mode: Mode
    /// `-o FILE` with PNG holds a single image.
    private let single: Bool
    private var count = 0
    private let imageSize: (width: Int, height: Int)
    private var idxHeader: Int?
    private var spool: Int32 = -1

    init(channel: OutputChannel, mode: Mode, single: Bool, imageSize: (width: Int, height: Int)) throws {
        self.channel = channel
        self.mode = mode
        self.single = single
        self.imageSize = imageSize
        if case .images(.idx) = mode {
            guard !channel.appendsToData else {
                throw OutputError(
                    description: "\(Path.display(channel.name)) is opened for appending (>>) and holds data already; "
                        + "--format idx writes one whole file: redirect with > or give -o FILE")
            }
            // The image count comes first; it is filled in at the end, in place
            // when the output can seek, else after spooling to a temporary file.
            if let offset = channel.seekableOffset() {
                idxHeader = offset
                try channel.write(header(count: 0))
            } else {
                let folder = getenv("TMPDIR").map { Path.string(cString: $0) } ?? "/tmp"
                var template = Path.bytes(folder + "/ae-filter-idx-XXXXXX") + [0]
                spool = template.withUnsafeMutableBufferPointer {
                    $0.withMemoryRebound(to: CChar.self) { mkstemp($0.baseAddress!) }
                }
                // Unlinked at once: the spool never outlives the process.
                if spool >= 0 {
                    template.withUnsafeBufferPointer {
                        $0.withMemoryRebound(to: CChar.self) { _ = unlink($0.baseAddress!) }
                    }
                }
                guard spool >= 0 else {
                    throw OutputError(
                        description:
                            "cannot create a temporary file for the IDX output: \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    deinit { if spool >= 0 { close(spool) } }

    /// Writes a batch's results in order; a failure is reported and handled
    /// as `policy` says (see ``ErrorPolicy``). Returns how many results it
    /// took: all of them, unless `stop` ended the run at a failure.
    func write(_ batch: [Outcome], policy: ErrorPolicy, report: (Outcome, any Error) -> Void) throws -> Int {
        var buffer: [UInt8] = []
        var stopped = false
        var taken = 0
        for outcome in batch {
            taken += 1
            switch (mode, outcome.result) {
            case (.lines, .success(let bytes)):
                buffer += Path.bytes(outcome.key) + [0x09]
                Base64.encode(bytes, into: &buffer)
                buffer.append(0x0A)
            case (.lines(let format), .failure(let error)):
                report(outcome, error)
                if policy == .stop {
                    stopped = true
                    break
                }
                buffer += Path.bytes(outcome.key) + [0x09]
                if policy == .placeholder { Base64.encode(blank(format), into: &buffer) }
                if policy == .mark { buffer += [0x09] + Array("error: \(Path.sanitized("\(error)"))".utf8) }
                buffer.append(0x0A)
            case (.images, .success(let bytes)):
                if single && count == 1 {
                    report(outcome, InputError("-o FILE holds one PNG; use -o DIR/ or --format pgm"))
                    continue
                }
                buffer += bytes
                count += 1
            case (.images(let format), .failure(let error)):
                report(outcome, error)
                if policy == .stop {
                    stopped = true
                    break
                }
                if policy == .placeholder, !single {
                    buffer += blank(format)
                    count += 1
                }
            }
            if stopped { break }
        }
        if spool >= 0 {
            try OutputChannel.writeAll(buffer, to: spool, name: "the IDX spool file")
        } else {
            try channel.write(buffer)
        }
        return taken
    }

    /// Completes the output: the IDX count, then a file output appears.
    func finish() throws {
        if case .images(.idx) = mode {
            if let idxHeader {
                try channel.patch(header(count: count), at: idxHeader)
            } else {
                try channel.write(header(count: count))
                lseek(spool, 0, SEEK_SET)
                var chunk = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let got = chunk.withUnsafeMutableBytes { read(spool, $0.baseAddress, $0.count) }
                    if got < 0 && errno == EINTR { continue }
                    guard got > 0 else { break }
                    try channel.write(Array(chunk[..<got]))
                }
            }
            if count == 0 && channel.name != "standard output" { return }
        }
        try channel.finish()
    }

    /// A black image of the output's size, in `format`.
    private func blank(_ format: OutputFormat) -> [UInt8] {
        let image = GrayImage(
            width: imageSize.width, height: imageSize.height,
            pixels: [UInt8](repeating: 0, count: imageSize.width * imageSize.height))
        return (try? Encode(format: format).process(image)) ?? []
    }

    private func header(count: Int) -> [UInt8] {
        func big32(_ value: Int) -> [UInt8] {
            [UInt8(value >> 24 & 255), UInt8(value >> 16 & 255), UInt8(value >> 8 & 255), UInt8(value & 255)]
        }
        return [0, 0, 8, 3] + big32(count) + big32(imageSize.height) + big32(imageSize.width)
    }
}
