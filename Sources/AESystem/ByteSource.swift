import Glibc

/// Something that fills buffers with bytes: a file descriptor, a decompressor.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes; 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileError) -> Int

    /// True when a read would block for lack of input.
    func isWaiting() -> Bool
}

/// Reads a file descriptor (not closed here).
public struct FileDescriptorSource: ByteSource {
    public let fd: Int32
    public let name: String

    /// Reads `fd`; `name` labels errors.
    public init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    /// Reads what is there; while waiting for input it looks every 100 ms
    /// whether the process was asked to stop, and then ends the input.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileError) -> Int {
        while true {
            guard Waiting.until(fd, is: POLLIN) else { return 0 }
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR, errno != EAGAIN { throw FileError(path: name, errno: errno) }
        }
    }

    public func isWaiting() -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }
}

/// A growable window over a ``ByteSource``: look ahead as far as needed, then
/// take the bytes of one record. Holds at most one record plus one read.
public struct ByteReader {
    public var source: any ByteSource
    public let name: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// Bytes taken so far, for messages.
    public private(set) var offset = 0
    public let chunk: Int

    /// Reads `source` `chunk` bytes at a time at least; `name` labels errors.
    public init(_ source: any ByteSource, name: String, chunk: Int = 1 << 16) {
        self.source = source
        self.name = name
        self.chunk = chunk
    }

    /// Bytes available without reading.
    public var buffered: Int { end - start }

    /// Makes `count` bytes available; false if the input ends first.
    public mutating func ensure(_ count: Int) throws(FileError) -> Bool {
        while end - start < count {
            if atEnd { return false }
            if start > 0 && (start == end || start > buffer.count / 2) {
                buffer.withUnsafeMutableBufferPointer { b in
                    _ = memmove(b.baseAddress!, b.baseAddress! + start, end - start)
                }
                end -= start
                start = 0
            }
            // Grown as the bytes come, doubling at most: a record that declares
            // a size its input does not hold costs about what the input holds.
            let wanted = min(max(count - (end - start), chunk), max(buffer.count, chunk))
            if buffer.count - end < wanted {
                buffer.append(contentsOf: repeatElement(0, count: max(wanted, buffer.count)))
            }
            var source = self.source
            let result = buffer.withUnsafeMutableBytes { raw in
                Result { () throws(FileError) in
                    // No more than asked for: a record that runs on is not pulled in whole.
                    try source.read(
                        into: UnsafeMutableRawBufferPointer(rebasing: raw[end..<min(raw.count, end + wanted)]))
                }
            }
            self.source = source
            let got = try result.get()
            if got == 0 { atEnd = true } else { end += got }
        }
        return true
    }

    /// The byte at `index` past the current position; call `ensure` first.
    public subscript(index: Int) -> UInt8 { buffer[start + index] }

    /// Calls `body` with the bytes available now.
    public func withAvailable<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Removes and returns the next `count` bytes; `ensure(count)` first.
    public mutating func take(_ count: Int) -> [UInt8] {
        precondition(count <= end - start)
        let bytes = Array(buffer[start..<start + count])
        skip(count)
        return bytes
    }

    /// Drops the next `count` bytes; `ensure(count)` first.
    public mutating func skip(_ count: Int) {
        start += count
        offset += count
    }

    /// True at the end of the input.
    public mutating func isAtEnd() throws(FileError) -> Bool {
        try !ensure(1)
    }

    /// True when nothing is buffered and the source would block.
    public func isWaiting() -> Bool {
        start == end && !atEnd && source.isWaiting()
    }
}
