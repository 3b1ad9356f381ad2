import AEFilterCore

/// The IDX format of MNIST and Fashion-MNIST: a big-endian header, then uint8 data.
public enum IDX {
    public static let imagesMagic: UInt32 = 2051
    public static let labelsMagic: UInt32 = 2049

    /// Parses an images file (magic 2051, count, 28, 28), gzipped or not.
    public static func images(_ raw: [UInt8]) throws(DataError) -> (count: Int, pixels: [UInt8]) {
        let bytes = Gzip.isCompressed(raw) ? try Gzip.decompress(raw) : raw
        guard bytes.count >= 16 else { throw DataError("too short for an IDX images header") }
        let magic = be32(bytes, 0)
        guard magic == imagesMagic else {
            throw DataError("not an IDX images file (magic \(magic), expected \(imagesMagic))")
        }
        let count = Int(be32(bytes, 4))
        let rows = Int(be32(bytes, 8))
        let columns = Int(be32(bytes, 12))
        guard rows == Geometry.side, columns == Geometry.side else {
            throw DataError("images are \(rows)×\(columns), expected 28×28")
        }
        guard bytes.count - 16 == count * Geometry.pixels else {
            throw DataError(
                "header says \(count) images but the file holds \(bytes.count - 16) bytes of pixels, expected \(count * Geometry.pixels)"
            )
        }
        return (count, Array(bytes[16...]))
    }

    /// Parses a labels file (magic 2049, count), gzipped or not.
    public static func labels(_ raw: [UInt8], classes: Int = 10) throws(DataError) -> [UInt8] {
        let bytes = Gzip.isCompressed(raw) ? try Gzip.decompress(raw) : raw
        guard bytes.count >= 8 else { throw DataError("too short for an IDX labels header") }
        let magic = be32(bytes, 0)
        guard magic == labelsMagic else {
            throw DataError("not an IDX labels file (magic \(magic), expected \(labelsMagic))")
        }
        let count = Int(be32(bytes, 4))
        guard bytes.count - 8 == count else {
            throw DataError("header says \(count) labels but the file holds \(bytes.count - 8)")
        }
        let labels = Array(bytes[8...])
        if let bad = labels.first(where: { Int($0) >= classes }) {
            throw DataError("label \(bad) is not a class (0...\(classes - 1))")
        }
        return labels
    }

    /// An images file for `pixels` (count × 784), uncompressed.
    public static func imagesFile(_ pixels: [UInt8]) -> [UInt8] {
        let count = pixels.count / Geometry.pixels
        return [imagesMagic, UInt32(count), 28, 28].flatMap(bigEndian) + pixels
    }

    /// A labels file, uncompressed.
    public static func labelsFile(_ labels: [UInt8]) -> [UInt8] {
        [labelsMagic, UInt32(labels.count)].flatMap(bigEndian) + labels
    }

    static func be32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32($0))) }
    }
}
