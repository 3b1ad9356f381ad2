/// What every ``OutputFormat`` must do: have a name that is a plain file
/// extension, encode every image to the same bytes each time and different
/// images to different bytes, keep a counting header's length whatever the
/// count, and keep the header and trailer of a layout that is not
/// ``OutputLayout/oneFile`` free of the count (a stream's length is never known).
///
/// ae-filter's own tests run it on every registered format; run it on yours:
///
/// ```swift
/// @Test func myFormatConforms() {
///     #expect(OutputFormatConformance.problems(MyFormat()) == [])
/// }
/// ```
public enum OutputFormatConformance {
    /// Every problem found, as sentences; empty when the format conforms.
    public static func problems(_ format: any OutputFormat) -> [String] {
        var found: [String] = []
        let name = format.name
        if name.isEmpty || !name.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) }) {
            found.append("'\(name)': a format's name is its file extension: lower-case letters and digits")
        }
        let images = [
            GrayImage(width: 28, height: 28, pixels: (0..<784).map { UInt8($0 % 256) }),
            GrayImage(width: 28, height: 28, pixels: [UInt8](repeating: 0, count: 784)),
            GrayImage(width: 84, height: 28, pixels: (0..<2352).map { UInt8($0 * 7 % 256) }),
        ]
        let records = images.map(format.record)
        if records != images.map(format.record) { found.append("\(name): the same image gave different records") }
        if records.contains(where: \.isEmpty) { found.append("\(name): an image gave an empty record") }
        if Set(records).count != records.count { found.append("\(name): different images gave the same record") }
        let headers = [0, 1, 1000].map { format.header(count: $0, width: 28, height: 28) }
        let trailers = [0, 1, 1000].map { format.trailer(count: $0) }
        if format.layout == .oneFile {
            if Set(headers.map(\.count)).count != 1 {
                found.append("\(name): the header's length depends on the count, so it cannot be rewritten in place")
            }
        } else if Set(headers).count != 1 || Set(trailers).count != 1 {
            found.append("\(name): a stream's header or trailer depends on the count, which a stream never knows")
        }
        return found
    }
}
