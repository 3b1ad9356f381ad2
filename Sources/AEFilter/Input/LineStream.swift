import AEFilterCore
import AESystem
import Glibc

/// Lines mode: one base64 image per line, optionally `key<TAB>base64`, as
/// Hadoop Streaming and Spark's `RDD.pipe` exchange records.
struct LineStream {
    /// The longest line accepted.
    static let limit = 256 << 20

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
            guard let line = try readLine() else {
                ended = true
                return nil
            }
            var content = line[...]
            if content.last == 0x0D { content = content.dropLast() }
            let key: String
            let payload: ArraySlice<UInt8>
            if let tab = content.firstIndex(of: 0x09) {
                key = Path.string(content[..<tab])
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

    /// The next line without its newline; nil at the end of the input.
    private mutating func readLine() throws -> [UInt8]? {
        var scanned = 0
        while true {
            let newline: Int? = reader.withAvailable { bytes in
                guard scanned < bytes.count, let hit = memchr(bytes.baseAddress! + scanned, 0x0A, bytes.count - scanned)
                else { return nil }
                return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress!
            }
            if let newline {
                let line = reader.take(newline)
                reader.skip(1)
                return line
            }
            scanned = reader.buffered
            guard scanned <= Self.limit else { throw InputError("line longer than \(Self.limit >> 20) MiB") }
            if try !reader.ensure(scanned + 1) {
                return scanned == 0 ? nil : reader.take(scanned)
            }
        }
    }
}
