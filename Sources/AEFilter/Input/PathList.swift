import AEFilterCore
import AESystem

/// `--files-from`: input paths, one per line or NUL-terminated (`-0`), as
/// `find -print0` writes them. Empty entries are ignored.
struct PathList {
    private var reader: ByteReader
    private let separator: UInt8
    private var ended = false
    private let shouldStop: () -> Bool

    /// A list read from `source`; a stop request ends it, even in a run of
    /// empty entries (`-0` over `/dev/zero`).
    init(_ source: any ByteSource, name: String, nulSeparated: Bool, shouldStop: @escaping () -> Bool = { false }) {
        reader = ByteReader(source, name: name)
        separator = nulSeparated ? 0 : 0x0A
        self.shouldStop = shouldStop
    }

    /// The next path; nil at the end or on a stop; throws if the list cannot be read.
    mutating func next() throws -> String? {
        while !ended, !shouldStop() {
            var length = 0
            while true {
                guard try reader.ensure(length + 1) else {
                    ended = true
                    break
                }
                if reader[length] == separator { break }
                length += 1
                guard length <= 1 << 20 else {
                    throw InputError("an entry longer than 1 MiB; is it NUL-separated (-0)?")
                }
            }
            let bytes = reader.take(length)
            if !ended { reader.skip(1) }
            var entry = bytes[...]
            if separator == 0x0A, entry.last == 0x0D { entry.removeLast() }
            let path = Path.string(entry)
            if !path.isEmpty { return path }
        }
        return nil
    }

    /// A list path's place under an output folder, and its identity: without
    /// leading `/` or `./` (a `..` is kept, and refused by an output folder).
    static func relative(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}
