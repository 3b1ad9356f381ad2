/// The encodings ae-filter reads, told apart by content, never by file name.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png, jpeg, pnm

    /// The format the bytes start with, if any.
    public static func sniff<C: Collection<UInt8>>(_ bytes: C) -> ImageFormat? {
        let head = Array(bytes.prefix(8))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.count >= 2, head[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(head[1]) {
            return .pnm
        }
        return nil
    }

    /// For ``FileReader``: once `head` holds 8 bytes that start no image,
    /// stop there (decoding then says what it is not); otherwise read all.
    @Sendable
    public static func stopUnlessImage(_ head: UnsafeRawBufferPointer) -> Int? {
        head.count >= 8 && sniff(head) == nil ? head.count : nil
    }
}
