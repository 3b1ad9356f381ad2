/// Where one record of a run came from; the output side names things from it.
public enum InputOrigin: Sendable, Equatable {
    /// A file, and the relative path its output mirrors under an output folder.
    case file(path: String, relative: String)
    /// The image at `position` (from 0) of a stream: standard input (`-`) or an IDX file.
    case stream(name: String, position: Int)
    /// A line of a lines-mode input, with its key (the line number if it had none).
    case line(name: String, number: Int, key: String)

    /// How messages name the input.
    public var label: String {
        switch self {
        case .file(let path, _): return path
        case .stream(let name, let position): return "\(Self.display(name)), image \(position + 1)"
        case .line(let name, let number, _): return "\(Self.display(name)), line \(number)"
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
