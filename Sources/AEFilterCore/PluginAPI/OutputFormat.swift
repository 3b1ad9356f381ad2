/// An output format: a sink for the filter's images. It turns each image into
/// a record and says what comes before the first record and after the last,
/// and how records go together (``OutputLayout``).
///
/// A format is registered like a noise model (``OutputFormatRegistry``);
/// `OutputFormatConformance` must pass for it.
public protocol OutputFormat: Sendable {
    /// The name `--format` takes, also the extension of its files under `-o DIR`.
    var name: String { get }

    /// How records go together.
    var layout: OutputLayout { get }

    /// One image's bytes. For a layout that is not ``OutputLayout/oneFile``
    /// it is a whole image file (one under `-o DIR`, one `--lines` record).
    func record(_ image: GrayImage) -> [UInt8]

    /// What a stream of `count` records of `width × height` starts with. A
    /// ``OutputLayout/oneFile`` header holding the count is written with 0
    /// first and rewritten at the end, so its length may not depend on it.
    func header(count: Int, width: Int, height: Int) -> [UInt8]

    /// What a stream of `count` records ends with.
    func trailer(count: Int) -> [UInt8]
}

extension OutputFormat {
    public func header(count: Int, width: Int, height: Int) -> [UInt8] { [] }
    public func trailer(count: Int) -> [UInt8] { [] }
}

/// How a format's records go together.
public enum OutputLayout: Sendable, Equatable {
    /// Each record is a file of its own (PNG): many inputs need `-o DIR`;
    /// `-o FILE` holds one; on standard output they follow each other.
    case filePerImage
    /// Records back to back are one stream (PGM): to a file, standard
    /// output, a directory or `--lines`.
    case stream
    /// One file holds every record after a header that counts them (IDX): the
    /// header is rewritten in place when the output can seek, else records
    /// are spooled to a temporary file first. Not to a directory, not in `--lines`.
    case oneFile
}
