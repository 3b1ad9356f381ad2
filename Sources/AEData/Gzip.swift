import CAEZlib

/// gzip detection and decompression.
public enum Gzip {
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates `bytes`, refusing to produce more than `limit` bytes.
    public static func decompress(_ bytes: [UInt8], limit: Int = 256 << 20) throws(DataError) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = bytes.withUnsafeBufferPointer {
            CAEZlib_gunzip($0.baseAddress, $0.count, limit, &out, &size, &message, message.count)
        }
        guard status == 0, let out else {
            throw DataError(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { CAEZlib_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
