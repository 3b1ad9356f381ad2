import AESystem

/// Where one input's bytes are: already read (from a stream), in a file the
/// worker reads, or lost (the stream broke there).
public enum InputPayload: Sendable {
    /// The encoded image, already read.
    case bytes([UInt8])
    /// A file to read on the worker.
    case file(String)
    /// The input could not be had; the error is its result.
    case failed(any Error)
}

/// One input of a run: its noise stream (from the record's identity) and payload.
public struct InputRecord: Sendable {
    public var stream: UInt64
    public var payload: InputPayload

    /// An input whose noise comes from stream `stream` of the seed.
    public init(stream: UInt64, payload: InputPayload) {
        self.stream = stream
        self.payload = payload
    }
}

/// InputRecord → EncodedImage: reads files on the worker, so reads run in parallel.
public struct Load: Stage {
    /// The largest image file read, as for an image in a stream: a device or
    /// a huge sparse file costs no more than this.
    public static let limit = 256 << 20

    /// Given the first bytes of a file, how many to read in all, or nil for
    /// all of them: the filter stops at the head of a device or FIFO whose
    /// bytes are no image (`/dev/zero`), which would otherwise be read to
    /// ``limit`` or forever.
    public let wanted: @Sendable (UnsafeRawBufferPointer) -> Int?

    /// The stage, reading `wanted` bytes of each file.
    public init(wanted: @escaping @Sendable (UnsafeRawBufferPointer) -> Int? = { _ in nil }) {
        self.wanted = wanted
    }

    /// The bytes of the input; throws the read error or the recorded failure.
    public func process(_ input: InputRecord) throws -> EncodedImage {
        switch input.payload {
        case .bytes(let bytes): return EncodedImage(stream: input.stream, bytes: bytes)
        case .file(let path):
            return EncodedImage(
                stream: input.stream, bytes: try FileReader.read(path, limit: Self.limit, wanted: wanted))
        case .failed(let error): throw error
        }
    }
}
