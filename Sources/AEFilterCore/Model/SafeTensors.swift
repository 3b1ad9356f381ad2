import AESystem
import CAENumerics

/// The safetensors container: an 8-byte little-endian header length, a JSON
/// header naming each tensor's dtype, shape and byte range, then the raw data.
///
/// The reader trusts nothing: every length, offset and shape is checked
/// against the file before any tensor memory is allocated.
public enum SafeTensors {
    /// The element types read and written: float32, float16, bfloat16.
    public enum DType: String, Sendable, CaseIterable {
        case f32 = "F32"
        case f16 = "F16"
        case bf16 = "BF16"

        public var size: Int { self == .f32 ? 4 : 2 }
    }

    /// A tensor as float32 values with its shape and stored type.
    public struct Tensor: Sendable, Equatable {
        public var shape: [Int]
        /// The dtype it was stored as.
        public var dtype: DType
        /// The values as stored: floats, or F16 values kept as halves (see ``SafeTensors/parse(_:halves:)``).
        public private(set) var storage: WeightMatrix

        /// The F16 values kept as halves; nil once `values` is set.
        public var halves: HalfValues? {
            if case .halves(let halves) = storage { return halves }
            return nil
        }

        /// The values, widened to `Float` (from ``halves`` on each read when the tensor has them).
        public var values: [Float] {
            get { storage.floats }
            set { storage = .floats(newValue) }
        }

        /// Whether no value is NaN or infinite.
        public var allFinite: Bool {
            switch storage {
            case .floats(let floats):
                return floats.withUnsafeBufferPointer { CAENumerics_all_finite($0.baseAddress, $0.count) != 0 }
            case .halves(let halves):
                return halves.allFinite
            }
        }

        /// A tensor; `values` holds the product of `shape` elements.
        public init(shape: [Int], values: [Float], dtype: DType = .f32) {
            self.shape = shape
            self.storage = .floats(values)
            self.dtype = dtype
        }

        /// An F16 tensor whose values stay where they are.
        public init(shape: [Int], halves: HalfValues) {
            self.shape = shape
            self.storage = .halves(halves)
            self.dtype = .f16
        }
    }

    /// The largest header accepted (the format's own reference reader uses 100 MB).
    public static let maxHeaderSize = 100_000_000

    /// How many bytes a file whose first bytes are `prefix` declares: the
    /// header, then the data up to its last tensor's end; nil while the
    /// header is incomplete, and the prefix's own length once it can't be a
    /// safetensors file (the parser then says why).
    public static func declaredSize(_ prefix: UnsafeRawBufferPointer) -> Int? {
        guard prefix.count >= 8 else { return nil }
        var headerSize: UInt64 = 0
        for i in 0..<8 { headerSize |= UInt64(prefix[i]) << (8 * UInt64(i)) }
        guard headerSize <= UInt64(maxHeaderSize) else { return prefix.count }
        let dataStart = 8 + Int(headerSize)
        guard prefix.count >= dataStart else { return dataStart }
        guard case .object(let header)? = try? JSONValue.parse(prefix[8..<dataStart]) else { return prefix.count }
        var end = 0
        for (name, value) in header where name != "__metadata__" {
            guard case .object(let entry) = value, case .array(let offsets)? = entry["data_offsets"],
                offsets.count == 2, let last = offsets[1].integer, last >= 0, last <= Int.max - dataStart
            else { return prefix.count }
            end = max(end, last)
        }
        return dataStart + end
    }

    /// Parses a whole file.
    public static func parse(_ bytes: [UInt8]) throws(CheckpointError) -> (
        tensors: [String: Tensor], metadata: [String: String]
    ) {
        try bytes.withUnsafeBytes { raw in Result { () throws(CheckpointError) in try parse(raw) } }.get()
    }

    /// What becomes of F16 tensors: widened to floats, kept as halves where
    /// they are (the bytes must outlive every tensor: an embedded
    /// checkpoint), or kept as halves in a copy of their own (a mapped file).
    public enum Halves: Sendable {
        case widened, inPlace, copied
    }

    /// Parses a whole file held in memory, e.g. mapped; `halves` says what
    /// becomes of F16 tensors.
    public static func parse(_ bytes: UnsafeRawBufferPointer, halves: Halves = .widened) throws(CheckpointError)
        -> (tensors: [String: Tensor], metadata: [String: String])
    {
        guard bytes.count >= 8 else {
            throw CheckpointError("file too short for a safetensors header (\(bytes.count) bytes)")
        }
        var headerSize: UInt64 = 0
        for i in 0..<8 { headerSize |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerSize <= UInt64(maxHeaderSize) else {
            throw CheckpointError("header length \(headerSize) is absurdly large")
        }
        guard headerSize <= UInt64(bytes.count - 8) else {
            throw CheckpointError("header length \(headerSize) runs past the end of the file (\(bytes.count) bytes)")
        }
        let dataStart = 8 + Int(headerSize)
        let dataSize = bytes.count - dataStart
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes[8..<dataStart])
        } catch {
            throw CheckpointError("header is not valid JSON (\(error))")
        }
        guard case .object(let header) = json else { throw CheckpointError("header is not a JSON object") }

        var metadata: [String: String] = [:]
        var ranges: [(name: String, begin: Int, end: Int, dtype: DType, shape: [Int])] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard case .object(let map) = value else { throw CheckpointError("__metadata__ is not an object") }
                for (key, item) in map {
                    guard let text = item.string else {
                        throw CheckpointError("__metadata__ value '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            guard case .object(let entry) = value else { throw CheckpointError("tensor '\(name)' is not an object") }
            guard let dtypeName = entry["dtype"]?.string else { throw CheckpointError("tensor '\(name)' has no dtype") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw CheckpointError(
                    "tensor '\(name)' has unsupported dtype \(dtypeName) (F32, F16 and BF16 are supported)")
            }
            guard case .array(let shapeValues) = entry["shape"], let shape = integers(shapeValues),
                shape.allSatisfy({ $0 >= 0 })
            else {
                throw CheckpointError("tensor '\(name)' has an invalid shape")
            }
            guard case .array(let offsetValues) = entry["data_offsets"], let offsets = integers(offsetValues),
                offsets.count == 2
            else {
                throw CheckpointError("tensor '\(name)' has invalid data_offsets")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw CheckpointError(
                    "tensor '\(name)' data_offsets [\(begin), \(end)] are outside the data (\(dataSize) bytes)")
            }
            var count = 1
            for dimension in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= dataSize else {
                    throw CheckpointError("tensor '\(name)' shape \(shape) is larger than the file")
                }
                count = product
            }
            guard count * dtype.size == end - begin else {
                throw CheckpointError(
                    "tensor '\(name)' shape \(shape) needs \(count * dtype.size) bytes but data_offsets give \(end - begin)"
                )
            }
            ranges.append((name, begin, end, dtype, shape))
        }
        ranges.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (previous, next) in zip(ranges, ranges.dropFirst()) where next.begin < previous.end {
            throw CheckpointError("tensors '\(previous.name)' and '\(next.name)' overlap")
        }

        var tensors: [String: Tensor] = [:]
        for range in ranges {
            if range.dtype == .f16 && halves != .widened {
                let (start, count) = (bytes.baseAddress! + dataStart + range.begin, (range.end - range.begin) / 2)
                let values =
                    halves == .inPlace
                    ? HalfValues(base: start, count: count) : HalfValues(copying: start, count: count)
                tensors[range.name] = Tensor(shape: range.shape, halves: values)
                continue
            }
            let values = decode(
                bytes, from: dataStart + range.begin, count: (range.end - range.begin) / range.dtype.size,
                dtype: range.dtype)
            tensors[range.name] = Tensor(shape: range.shape, values: values, dtype: range.dtype)
        }
        return (tensors, metadata)
    }

    /// Serializes tensors (in name order) and metadata. Values are stored as each tensor's `dtype`.
    public static func serialize(_ tensors: [String: Tensor], metadata: [String: String]) -> [UInt8] {
        var header = "{"
        if !metadata.isEmpty {
            header += "\"__metadata__\":{"
            header += metadata.keys.sorted().map { "\(quoted($0)):\(quoted(metadata[$0]!))" }.joined(
                separator: ",")
            header += "},"
        }
        var offset = 0
        var entries: [String] = []
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name]!
            let size = tensor.values.count * tensor.dtype.size
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(
                "\(quoted(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}"
            )
            offset += size
        }
        header += entries.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        let length = UInt64(headerBytes.count)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
        out += headerBytes
        for name in names { encode(tensors[name]!, into: &out) }
        return out
    }

    /// A JSON string, escaped as every JSON file ae-filter writes is.
    private static func quoted(_ text: String) -> String { JSONOutput.string(text).text }

    private static func integers(_ values: [JSONValue]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            guard let integer = value.integer else { return nil }
            result.append(integer)
        }
        return result
    }

    /// Every F16 bit pattern widened, so a load is one lookup per value.
    private static func decode(_ bytes: UnsafeRawBufferPointer, from start: Int, count: Int, dtype: DType) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            do {
                let base = bytes.baseAddress! + start
                switch dtype {
                case .f32:
                    // Little-endian hosts only (all Swift Linux targets): a straight copy.
                    UnsafeMutableRawBufferPointer(out).copyMemory(
                        from: UnsafeRawBufferPointer(start: base, count: count * 4))
                case .f16:
                    CAENumerics_half_to_float(base, out.baseAddress!, count)
                case .bf16:
                    for i in 0..<count {
                        out[i] = Float(
                            bitPattern: UInt32(base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) << 16)
                    }
                }
            }
            initialized = count
        }
    }

    private static func encode(_ tensor: Tensor, into out: inout [UInt8]) {
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        for value in tensor.values {
            switch tensor.dtype {
            case .f32: append(value.bitPattern)
            case .f16: append(Float16(value).bitPattern)
            case .bf16:
                // Round to nearest even, as PyTorch does.
                let bits = value.bitPattern
                let rounded = value.isNaN ? bits | 0x40_0000 : bits &+ 0x7FFF &+ ((bits >> 16) & 1)
                append(UInt16(truncatingIfNeeded: rounded >> 16))
            }
        }
    }
}

/// A checkpoint that can't be read or used.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
