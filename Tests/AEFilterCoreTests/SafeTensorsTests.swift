import AEFilterCore
import AESystem
import TestSupport
import Testing

/// A safetensors file from a header string and raw data bytes.
func safetensorsFile(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    let length = declaredLength ?? UInt64(headerBytes.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + headerBytes + data
}

@Suite struct SafeTensorsTests {
    @Test(arguments: SafeTensors.DType.allCases)
    func roundTripsEveryDType(dtype: SafeTensors.DType) throws {
        let values: [Float] = [0, 1, -2.5, 0.099975586, 65504, -0.0001, 3.140625]
        let bytes = SafeTensors.serialize(
            ["t": .init(shape: [7], values: values, dtype: dtype)], metadata: ["k": "v \"quoted\"\n"])
        let (tensors, metadata) = try SafeTensors.parse(bytes)
        #expect(metadata == ["k": "v \"quoted\"\n"])
        let tensor = try #require(tensors["t"])
        #expect(tensor.dtype == dtype)
        #expect(tensor.shape == [7])
        let tolerance: Float = dtype == .f32 ? 0 : (dtype == .f16 ? 1e-3 : 1e-2)
        for (a, b) in zip(tensor.values, values) {
            #expect(abs(a - b) <= tolerance * max(1, abs(b)))
        }
        // Header is padded to 8 bytes, as the format's reference writer does.
        #expect((bytes.count - 8 - values.count * dtype.size) % 8 == 0)
    }

    /// Names and metadata are escaped by JSONOutput, as every JSON ae-filter
    /// writes: control characters, DEL and the line separators as \u escapes.
    @Test func headerStringsAreJSONOutputs() throws {
        let odd = "a\"b\\c\n\u{01}\u{7F}\u{2028}é"
        let bytes = SafeTensors.serialize(
            ["t\u{1B}": .init(shape: [1], values: [1], dtype: .f32)], metadata: ["k": odd])
        let header = String(decoding: bytes.dropFirst(8), as: UTF8.self)
        #expect(header.hasPrefix(#"{"__metadata__":{"k":"a\"b\\c\n\u0001\u007f\u2028é"}"#))
        #expect(header.contains(JSONOutput.string("t\u{1B}").text + ":{"))
        let (tensors, metadata) = try SafeTensors.parse(bytes)
        #expect(metadata == ["k": odd])
        #expect(tensors.keys.sorted() == ["t\u{1B}"])
    }

    /// F16 tensors kept as halves, in place or copied, read as the widened
    /// values; a copy outlives the bytes it came from.
    @Test func halvesKeptInPlaceOrCopiedReadAsWidened() throws {
        let values: [Float] = [0, 1, -2.5, 0.099975586, 65504, -0.0001, 3.140625, .leastNonzeroMagnitude]
        let bytes = SafeTensors.serialize(["t": .init(shape: [8], values: values, dtype: .f16)], metadata: [:])
        let widened = try #require(try SafeTensors.parse(bytes).tensors["t"])
        #expect(widened.halves == nil)
        let source = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        source.copyBytes(from: bytes)
        let inPlace = try #require(try SafeTensors.parse(UnsafeRawBufferPointer(source), halves: .inPlace).tensors["t"])
        let copied = try #require(try SafeTensors.parse(UnsafeRawBufferPointer(source), halves: .copied).tensors["t"])
        #expect(inPlace.halves?.base == UnsafeRawPointer(source.baseAddress!) + (bytes.count - 16))
        #expect(inPlace.values.map(\.bitPattern) == widened.values.map(\.bitPattern))
        source.initializeMemory(as: UInt8.self, repeating: 0xFF)
        source.deallocate()
        #expect(copied.halves != nil && copied.dtype == .f16 && copied.allFinite)
        #expect(copied.values.map(\.bitPattern) == widened.values.map(\.bitPattern))
        #expect(copied == widened)
    }

    @Test func readsThePyTorchCheckpoint() throws {
        let (tensors, metadata) = try SafeTensors.parse(Fixtures.bytes(Fixtures.referenceCheckpoint))
        #expect(metadata.isEmpty)
        #expect(tensors["fc1.weight"]?.shape == [1176, 784])
        #expect(tensors["fc1.bias"]?.shape == [1176])
        #expect(tensors["fc2.weight"]?.shape == [784, 1176])
        #expect(tensors["fc2.bias"]?.shape == [784])
        #expect(tensors.values.allSatisfy { $0.dtype == .f32 })
    }

    static let malformed: [(String, [UInt8], String)] = [
        ("short file", [1, 2, 3], "too short"),
        ("header past the end", safetensorsFile(header: "{}", declaredLength: 4096), "past the end"),
        ("absurd header length", safetensorsFile(header: "{}", declaredLength: 1 << 40), "absurdly large"),
        ("invalid JSON", safetensorsFile(header: "{\"a\": [1, 2"), "not valid JSON"),
        ("not an object", safetensorsFile(header: "[1, 2]"), "not a JSON object"),
        (
            "unsupported dtype",
            safetensorsFile(
                header: #"{"t":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 8)),
            "unsupported dtype I64"
        ),
        (
            "offsets beyond data",
            safetensorsFile(header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]),
            "outside the data"
        ),
        (
            "reversed offsets",
            safetensorsFile(header: #"{"t":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]),
            "outside the data"
        ),
        (
            "shape mismatch",
            safetensorsFile(
                header: #"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 8)),
            "needs 12 bytes"
        ),
        (
            "negative shape",
            safetensorsFile(
                header: #"{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: .init(repeating: 0, count: 4)
            ), "invalid shape"
        ),
        (
            "huge shape",
            safetensorsFile(
                header: #"{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#,
                data: .init(repeating: 0, count: 4)), "larger than the file"
        ),
        (
            "overlap",
            safetensorsFile(
                header:
                    #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: .init(repeating: 0, count: 8)), "overlap"
        ),
        ("bad metadata", safetensorsFile(header: #"{"__metadata__":{"a":1}}"#), "not a string"),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedFiles(name: String, bytes: [UInt8], message: String) {
        #expect {
            _ = try SafeTensors.parse(bytes)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
