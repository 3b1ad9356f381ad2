import AEFilterCore
import AEImageIO
import Foundation
import TestSupport
import Testing

/// What most CLI tests run with: the reference model, a sample image, the data.
let model = ["--model", Fixtures.referenceCheckpoint]
let shirt = Fixtures.root.appendingPathComponent("Samples/shirt.png").path
let data = ["--data", Fixtures.dataDirectory]

func png(_ bytes: [UInt8]) throws -> Bitmap {
    try Decode().process(EncodedImage(stream: 0, bytes: bytes))
}

/// Splits concatenated PNGs at each IEND chunk.
func splitPNGs(_ bytes: [UInt8]) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var start = 0
    var i = 8
    while i + 8 <= bytes.count {
        let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        let type = String(decoding: bytes[i + 4..<i + 8], as: UTF8.self)
        i += 12 + length
        if type == "IEND" {
            out.append(Array(bytes[start..<i]))
            start = i
            i += 8
        }
    }
    return out
}

/// The IDX3 images after the 16-byte header, 784 bytes each.
func idxImages(_ bytes: [UInt8]) -> [[UInt8]] {
    stride(from: 16, to: bytes.count, by: 784).map { Array(bytes[$0..<min($0 + 784, bytes.count)]) }
}

/// Every regular file under `root`, relative, sorted.
func filesUnder(_ root: String) throws -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var files: [String] = []
    while let path = walker.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue
        {
            files.append(path)
        }
    }
    return files.sorted()
}

/// Python's json module, strict: NaN and Infinity are refused.
let strictJSON = """
    import json, sys
    def refuse(constant): raise ValueError('not JSON: ' + constant)
    for line in open(sys.argv[1]):
        if line.strip(): json.loads(line, parse_constant=refuse)
    print('ok')
    """

/// Whether every line of `text` parses as strict JSON.
func parsesStrictly(_ text: [UInt8]) throws -> Bool {
    let dir = try CLI.temporaryDirectory()
    try Data(text).write(to: URL(fileURLWithPath: "\(dir)/j"))
    let result = try CLI.python(strictJSON, ["\(dir)/j"])
    return CLI.lines(result) == ["ok"]
}

extension URL {
    /// The file, created empty if it does not exist.
    func touch() throws -> URL {
        if !FileManager.default.fileExists(atPath: path) { try Data().write(to: self) }
        return self
    }
}
