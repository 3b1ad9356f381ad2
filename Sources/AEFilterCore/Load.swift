/// Where one input's bytes are: already read (from a stream), in a file the
/// worker reads, or lost (the stream broke there).
public enum InputPayload: Sendable {
    case bytes([UInt8])
    case file(String)
    case failed(any Error)
}

/// One input of a run: its position (which also seeds its noise) and payload.
public struct InputRecord: Sendable {
    public var index: UInt64
    public var payload: InputPayload

    public init(index: UInt64, payload: InputPayload) {
        self.index = index
        self.payload = payload
    }
}

/// InputRecord → EncodedImage: reads files on the worker, so reads run in parallel.
public struct Load: Stage {
    public init() {}

    public func process(_ input: InputRecord) throws -> EncodedImage {
        switch input.payload {
        case .bytes(let bytes): return EncodedImage(index: input.index, bytes: bytes)
        case .file(let path): return EncodedImage(index: input.index, bytes: try FileReader.read(path))
        case .failed(let error): throw error
        }
    }
}
