import AEFilterCore
import AESystem
import Glibc

/// Results written one after another on one channel in an ``OutputFormat``:
/// its header, a record per image, its trailer; or lines of `key<TAB>base64`.
final class StreamOutput {
    enum Mode {
        case images
        /// KEY<TAB>base64 lines, each a record.
        case lines
    }

    private let channel: OutputChannel
    private let format: any OutputFormat
    private let mode: Mode
    /// `-o FILE` with a file-per-image format holds a single image.
    private let single: Bool
    private var count = 0
    private let imageSize: (width: Int, height: Int)
    /// Where a counting header is, to be rewritten at the end.
    private var countedHeader: Int?
    private var spool: Int32 = -1

    init(
        channel: OutputChannel, format: any OutputFormat, mode: Mode, single: Bool,
        imageSize: (width: Int, height: Int)
    ) throws {
        self.channel = channel
        self.format = format
        self.mode = mode
        self.single = single
        self.imageSize = imageSize
        guard case .images = mode else { return }
        guard format.layout == .oneFile else {
            try channel.write(header(count: 0))
            return
        }
        guard !channel.appendsToData else {
            throw OutputError(
                description: "\(Path.display(channel.name)) is opened for appending (>>) and holds data already; "
                    + "--format \(format.name) writes one whole file: redirect with > or give -o FILE")
        }
        // The image count comes first; it is filled in at the end, in place
        // when the output can seek, else after spooling to a temporary file.
        if let offset = channel.seekableOffset() {
            countedHeader = offset
            try channel.write(header(count: 0))
        } else {
            let folder = getenv("TMPDIR").map { Path.string(cString: $0) } ?? "/tmp"
            var template = Path.bytes(folder + "/ae-filter-\(format.name)-XXXXXX") + [0]
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
                        "cannot create a temporary file for the \(format.name.uppercased()) output: \(String(cString: strerror(errno)))"
                )
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
            case (.lines, .failure(let error)):
                report(outcome, error)
                if policy == .stop {
                    stopped = true
                    break
                }
                buffer += Path.bytes(outcome.key) + [0x09]
                if policy == .placeholder { Base64.encode(blank(), into: &buffer) }
                if policy == .mark { buffer += [0x09] + Array("error: \(Path.sanitized("\(error)"))".utf8) }
                buffer.append(0x0A)
            case (.images, .success(let bytes)):
                if single && count == 1 {
                    report(
                        outcome,
                        InputError("-o FILE holds one \(format.name.uppercased()); use -o DIR/ or --format pgm"))
                    continue
                }
                buffer += bytes
                count += 1
            case (.images, .failure(let error)):
                report(outcome, error)
                if policy == .stop {
                    stopped = true
                    break
                }
                if policy == .placeholder, !single {
                    buffer += blank()
                    count += 1
                }
            }
            if stopped { break }
        }
        if spool >= 0 {
            try OutputChannel.writeAll(buffer, to: spool, name: "the \(format.name.uppercased()) spool file")
        } else {
            try channel.write(buffer)
        }
        return taken
    }

    /// Completes the output: a counting header, the trailer, then a file output appears.
    func finish() throws {
        guard case .images = mode else { return try channel.finish() }
        if format.layout == .oneFile {
            if let countedHeader {
                try channel.patch(header(count: count), at: countedHeader)
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
        }
        try channel.write(format.trailer(count: count))
        if format.layout == .oneFile, count == 0, channel.name != "standard output" { return }
        try channel.finish()
    }

    /// A black image of the output's size, as a record.
    private func blank() -> [UInt8] {
        format.record(
            GrayImage(
                width: imageSize.width, height: imageSize.height,
                pixels: [UInt8](repeating: 0, count: imageSize.width * imageSize.height)))
    }

    private func header(count: Int) -> [UInt8] {
        format.header(count: count, width: imageSize.width, height: imageSize.height)
    }
}
