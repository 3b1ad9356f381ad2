import AEFilterCore

/// GrayImage → bytes: one record of an ``OutputFormat`` (for IDX the bare
/// pixels; a header and a trailer are the writer's business).
public struct Encode: Stage {
    public var format: any OutputFormat

    public init(format: any OutputFormat) {
        self.format = format
    }

    public func process(_ image: GrayImage) -> [UInt8] {
        format.record(image)
    }
}
