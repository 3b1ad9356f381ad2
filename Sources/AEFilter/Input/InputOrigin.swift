import AESystem

/// Where one record of a run came from; the output side names things from it.
public enum InputOrigin: Sendable, Equatable {
    /// A file, and the relative path its output mirrors under an output folder.
    case file(path: String, relative: String)
    /// The image at `position` (from 0) of a stream: standard input (`-`) or an IDX file.
    case stream(name: String, position: Int)
    /// A line of a lines-mode input, with its key (``LineStream/key(of:)`` if it had none).
    case line(name: String, number: Int, key: String)

    /// The record's noise stream, from its identity, so an image gets the same
    /// noise however a job is split, ordered or batched: a file's path under
    /// its input root (as it mirrors under `-o DIR`), a line's key. A raw
    /// stream has no identity but its position. A key and a path are one
    /// namespace: a record keyed `a/b.png` is noised as the file `a/b.png`.
    public var noiseStream: UInt64 {
        switch self {
        case .file(_, let relative): return Self.stream(of: relative)
        case .line(_, _, let key): return Self.stream(of: key)
        case .stream(_, let position): return UInt64(position)
        }
    }

    /// The first 64 bits of the SHA-256 of `name`'s bytes.
    static func stream(of name: String) -> UInt64 {
        UInt64(SHA256.hex(Path.bytes(name)).prefix(16), radix: 16)!
    }

    /// How messages name the input (raw: the message escapes it once, as a whole).
    public var label: String {
        switch self {
        case .file(let path, _): return path
        case .stream(let name, let position): return "\(Self.display(name)), image \(position + 1)"
        case .line(let name, let number, let key):
            return "\(Self.display(name)), line \(number), key \(key)"
        }
    }

    static func display(_ name: String) -> String { name == "-" ? "<stdin>" : name }
}

/// What the output side says about an input before it is read.
public enum Admission: Sendable {
    case process
    /// Its output exists already (`--skip-existing`).
    case skip
    case reject(any Error)
}

/// An input error that has no better type.
public struct InputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
