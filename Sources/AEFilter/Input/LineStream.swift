import AEFilterCore
import AESystem
import Glibc

/// Lines mode: one base64 image per line, optionally `key<TAB>base64`, as
/// Hadoop Streaming and Spark's `RDD.pipe` exchange records.
struct LineStream {
    /// The longest line accepted: base64 of a 48 MiB image, far beyond any
    /// photo's, so that a record costs at most a few times this in memory.
    static let limit = 64 << 20

    private var reader: ByteReader
    private let name: String
    private var number = 0
    private var ended = false

    init(_ source: any ByteSource, name: String) {
        reader = ByteReader(source, name: name)
        self.name = name
    }

    func isWaiting() -> Bool { reader.isWaiting() }

    mutating func next() -> (origin: InputOrigin, payload: InputPayload)? {
        guard !ended else { return nil }
        number += 1
        do {
            let line: [UInt8]
            switch try readLine() {
            case nil:
                ended = true
                return nil
            case .tooLong(let key):
                return (
                    .line(name: name, number: number, key: key),
                    .failed(InputError("line longer than \(Self.limit >> 20) MiB; skipped"))
                )
            case .line(let bytes):
                line = bytes
            }
            var content = line[...]
            // CRLF ends and trailing blanks, as editors and other tools leave them, are not the payload.
            while let last = content.last, last == 0x0D || last == 0x20 { content = content.dropLast() }
            let key: String
            let payload: ArraySlice<UInt8>
            if let tab = content.firstIndex(of: 0x09) {
                key = Path.string(content[..<tab], throughNUL: true)
                payload = content[(tab + 1)...]
            } else {
                key = Self.key(of: content)
                payload = content
            }
            let origin = InputOrigin.line(name: name, number: number, key: key)
            guard !payload.isEmpty else { return (origin, .failed(InputError("empty record"))) }
            guard let bytes = Base64.decode(payload) else { return (origin, .failed(InputError("invalid base64"))) }
            return (origin, .bytes(bytes))
        } catch {
            ended = true
            return (.line(name: name, number: number, key: String(number)), .failed(error))
        }
    }

    /// A keyless record's key, the same wherever the record lands in a job:
    /// `sha256:` and the first 16 hex digits of its payload's SHA-256.
    static func key(of payload: some Collection<UInt8>) -> String {
        "sha256:" + SHA256.hex(payload).prefix(16)
    }

    enum Line {
        case line([UInt8])
        /// A line past the limit, skipped to its end; its key, or a keyless one's hash.
        case tooLong(key: String)
    }

    /// The next line without its newline; nil at the end of the input.
    private mutating func readLine() throws -> Line? {
        var scanned = 0
        while true {
            if let newline = newline(from: scanned) {
                if newline > Self.limit { return .tooLong(key: try skipLongLine()) }
                let line = reader.take(newline)
                reader.skip(1)
                return .line(line)
            }
            scanned = reader.buffered
            if scanned > Self.limit { return .tooLong(key: try skipLongLine()) }
            if try !reader.ensure(scanned + 1) {
                return scanned == 0 ? nil : .line(reader.take(scanned))
            }
        }
    }

    /// Where the next newline is in the buffer, searching from `scanned`.
    private func newline(from scanned: Int) -> Int? {
        reader.withAvailable { bytes in
            guard scanned < bytes.count, let hit = memchr(bytes.baseAddress! + scanned, 0x0A, bytes.count - scanned)
            else { return nil }
            return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress!
        }
    }

    /// Reads past the end of a line too long to hold, in pieces, and returns
    /// its key: the text before its tab, or for a keyless line its hash, as
    /// ``key(of:)`` would have made it.
    private mutating func skipLongLine() throws -> String {
        let head = reader.withAvailable { Array($0.prefix(1 << 16)) }
        let tab = head.firstIndex(of: 0x09)
        var hash = SHA256()
        while true {
            let end = newline(from: 0)
            let piece = end ?? reader.buffered
            if tab == nil { reader.withAvailable { hash.update($0.prefix(piece)) } }
            reader.skip(piece)
            if end != nil {
                reader.skip(1)
                break
            }
            if try !reader.ensure(1) { break }
        }
        if let tab { return Path.string(head[..<tab], throughNUL: true) }
        return "sha256:" + hash.hex().prefix(16)
    }
}
