import AEFilterCore
import AESystem
import CAEZlib

/// Decompresses a gzip stream as it is read.
public final class GzipSource: ByteSource {
    private var inner: any ByteSource
    private let name: String
    private let inflater: OpaquePointer
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    private var inputStart = 0, inputEnd = 0
    private var innerEnded = false
    /// Whether data that is not gzip followed the last complete member; the stream ended there.
    public private(set) var trailing = false

    public init(_ inner: any ByteSource, name: String) {
        self.inner = inner
        self.name = name
        guard let inflater = CAEZlib_inflater_new() else { fatalError("out of memory") }
        self.inflater = inflater
    }

    deinit { CAEZlib_inflater_free(inflater) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileError) -> Int {
        while true {
            if inputStart == inputEnd {
                if innerEnded {
                    guard CAEZlib_inflater_at_boundary(inflater) != 0 else {
                        throw FileError(path: name, reason: "truncated gzip data")
                    }
                    return 0
                }
                var inner = self.inner
                let got = try input.withUnsafeMutableBytes { raw in
                    Result { () throws(FileError) in try inner.read(into: raw) }
                }.get()
                self.inner = inner
                inputStart = 0
                inputEnd = got
                if got == 0 { innerEnded = true }
                continue
            }
            var message = [CChar](repeating: 0, count: 160)
            var remaining = inputEnd - inputStart
            let produced = input.withUnsafeBufferPointer { bytes in
                var next: UnsafePointer<UInt8>? = bytes.baseAddress! + inputStart
                let count = CAEZlib_inflate(
                    inflater, &next, &remaining, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), buffer.count,
                    &message, message.count)
                return count
            }
            inputStart = inputEnd - remaining
            if produced == CAEZLIB_TRAILING {
                trailing = true
                return 0
            }
            if produced < 0 {
                throw FileError(
                    path: name,
                    reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            if produced > 0 { return produced }
        }
    }

    public func isWaiting() -> Bool { inputStart == inputEnd && !innerEnded && inner.isWaiting() }
}
