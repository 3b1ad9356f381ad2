/// MD5 (RFC 1321), for checking downloads against the published checksums.
public struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    public init() {}

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]
    private static let constants: [UInt32] = (0..<64).map { i in
        var x = Double(i + 1)
        // |sin(i + 1)| · 2^32, computed without Foundation.
        x = x.truncatingRemainder(dividingBy: 2 * .pi)
        var term = x
        var sine = x
        var n = 1.0
        while abs(term) > 1e-18 {
            term *= -x * x / ((2 * n) * (2 * n + 1))
            sine += term
            n += 1
        }
        return UInt32(abs(sine) * 4_294_967_296.0)
    }

    public mutating func update<C: Collection<UInt8>>(_ bytes: C) {
        length += UInt64(bytes.count)
        let input = Array(bytes)
        var offset = 0
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, input.count)
            buffer += input[0..<take]
            offset = take
            if buffer.count == 64 {
                buffer.withUnsafeBytes { process($0.baseAddress!) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        input.withUnsafeBytes { raw in
            while input.count - offset >= 64 {
                process(raw.baseAddress! + offset)
                offset += 64
            }
        }
        buffer += input[offset...]
    }

    public mutating func finalize() -> [UInt8] {
        let bits = length &* 8
        var tail: [UInt8] = [0x80]
        while (buffer.count + tail.count) % 64 != 56 { tail.append(0) }
        tail += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }
        let saved = length
        update(tail)
        length = saved
        return [state.0, state.1, state.2, state.3].flatMap { word in
            (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) }
        }
    }

    public static func hex<C: Collection<UInt8>>(_ bytes: C) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return md5.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    private mutating func process(_ block: UnsafeRawPointer) {
        var words:
            (
                UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
            ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(start: block, count: 64)) }
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16:
                f = (b & c) | (~b & d)
                g = i
            case 16..<32:
                f = (d & b) | (~d & c)
                g = (5 * i + 1) % 16
            case 32..<48:
                f = b ^ c ^ d
                g = (3 * i + 5) % 16
            default:
                f = c ^ (b | ~d)
                g = (7 * i) % 16
            }
            let word = withUnsafeBytes(of: words) {
                UInt32(littleEndian: $0.load(fromByteOffset: g * 4, as: UInt32.self))
            }
            f = f &+ a &+ Self.constants[i] &+ word
            a = d
            d = c
            c = b
            b = b &+ (f << Self.shifts[i] | f >> (32 - Self.shifts[i]))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
