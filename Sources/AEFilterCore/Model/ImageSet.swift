/// Labelled 28×28 8-bit images in memory, e.g. a Fashion-MNIST split.
public struct ImageSet: Sendable {
    /// `count × 784` pixels, row-major, 0 = background.
    public var pixels: [UInt8]
    public var labels: [UInt8]

    /// Images (784 bytes each, back to back) and one label per image.
    public init(pixels: [UInt8], labels: [UInt8]) {
        precondition(pixels.count == labels.count * Geometry.pixels)
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The first `count` images (all of them if there are fewer).
    public func prefix(_ count: Int) -> ImageSet {
        let n = min(max(count, 0), self.count)
        return ImageSet(pixels: Array(pixels[0..<n * Geometry.pixels]), labels: Array(labels[0..<n]))
    }

    /// Fashion-MNIST's class names, by label.
    public static let classNames = [
        "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot",
    ]
}
