import AEFilterCore

/// `idx`: one IDX3 file, as Fashion-MNIST's: a header with the image count
/// and size, then the bare pixels of every image.
public struct IDXFormat: OutputFormat {
    public init() {}

    public let name = "idx"
    public let layout = OutputLayout.oneFile

    public func record(_ image: GrayImage) -> [UInt8] { image.pixels }

    public func header(count: Int, width: Int, height: Int) -> [UInt8] {
        func big32(_ value: Int) -> [UInt8] {
            [UInt8(value >> 24 & 255), UInt8(value >> 16 & 255), UInt8(value >> 8 & 255), UInt8(value & 255)]
        }
        return [0, 0, 8, 3] + big32(count) + big32(height) + big32(width)
    }
}
