import Glibc

/// File names are bytes, not text: a name need not be valid UTF-8. ae-filter
/// keeps every path in a `String` without loss: valid UTF-8 decodes as
/// usual, and each byte that is not (or that would decode to the private
/// characters U+10FF80...U+10FFFF used here) becomes U+10FF00 + byte.
/// ``bytes(_:)`` turns such a string back into the exact bytes, and every
/// system call on a path goes through these functions, never through Swift's
/// implicit UTF-8 conversion. ``display(_:)`` escapes a path for messages.
public enum Path {
    static let escapeBase: UInt32 = 0x10_FF00

    /// The string for a name's bytes.
    /// A name from C ends at its first NUL; a lines-mode key keeps every byte
    /// (`throughNUL`), so that two keys that differ after a NUL stay apart.
    public static func string(_ bytes: some Collection<UInt8>, throughNUL: Bool = false) -> String {
        let bytes = throughNUL ? Array(bytes) : Array(bytes.prefix { $0 != 0 })
        if let valid = String(validating: bytes, as: UTF8.self), !valid.unicodeScalars.contains(where: isEscape) {
            return valid
        }
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let (scalar, length) = decodeOne(bytes, at: index)
            if let scalar, !isEscape(scalar) {
                scalars.append(scalar)
                index += length
            } else {
                scalars.append(Unicode.Scalar(escapeBase + UInt32(bytes[index]))!)
                index += 1
            }
        }
        return String(scalars)
    }

    /// The string for a C string's exact bytes (argv, getenv, realpath).
    public static func string(cString: UnsafePointer<CChar>) -> String {
        string(UnsafeBufferPointer(start: cString, count: strlen(cString)).map { UInt8(bitPattern: $0) })
    }

    /// The bytes a path string stands for.
    public static func bytes(_ path: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        for scalar in path.unicodeScalars {
            if isEscape(scalar) {
                bytes.append(UInt8(scalar.value - escapeBase))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// Calls `body` with the path as a NUL-terminated C string of its bytes.
    public static func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        var bytes = bytes(path)
        bytes.append(0)
        return try bytes.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// The path as a message shows it: control characters, backslashes and
    /// bytes that are not UTF-8 escaped (`\n`, `\x1b`, `\u{9b}`, `\xff`), so a name can
    /// neither break a line nor reach the terminal as a command.
    public static func display(_ path: String) -> String { escaped(path, backslashes: true) }

    /// Text made safe for one line on a terminal: as ``display(_:)``, but
    /// backslashes stay as they are (for text that holds displayed paths).
    public static func sanitized(_ text: String) -> String { escaped(text, backslashes: false) }

    /// `path` as one shell word: as it is when it is plain, else in single
    /// quotes (a quote inside as `'\''`), so a hint can be pasted back.
    public static func shellWord(_ path: String) -> String {
        let plain =
            !path.isEmpty
            && path.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "/._-+:,=@%".unicodeScalars.contains($0)
            }
        return plain ? path : "'" + path.replacing("'", with: "'\\''") + "'"
    }

    static func escaped(_ path: String, backslashes: Bool) -> String {
        var out = ""
        for scalar in path.unicodeScalars {
            switch scalar.value {
            case 0x5C where backslashes: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += hex(scalar.value)
            // A C1 control is a character (`\u{9b}`), told apart from the byte 0x9b that is not UTF-8 (`\x9b`).
            case 0x80..<0xA0, 0x2028, 0x2029: out += "\\u{\(String(scalar.value, radix: 16))}"
            case escapeBase + 0x80...escapeBase + 0xFF: out += hex(scalar.value - escapeBase)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func hex(_ value: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return value < 0x100
            ? "\\x\(digits[Int(value >> 4)])\(digits[Int(value & 15)])" : "\\u{\(String(value, radix: 16))}"
    }

    static func isEscape(_ scalar: Unicode.Scalar) -> Bool {
        (escapeBase + 0x80...escapeBase + 0xFF).contains(scalar.value)
    }

    /// One UTF-8 sequence at `index`: the scalar and its length, or nil when invalid.
    static func decodeOne(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar?, Int) {
        let lead = bytes[index]
        let length =
            lead < 0x80
            ? 1
            : lead >= 0xC2 && lead < 0xE0
                ? 2
                : lead >= 0xE0 && lead < 0xF0
                    ? 3
                    : lead >= 0xF0 && lead < 0xF5 ? 4 : 0
        guard length > 0, index + length <= bytes.count else { return (nil, 1) }
        guard let text = String(validating: bytes[index..<index + length], as: UTF8.self),
            let scalar = text.unicodeScalars.first, text.unicodeScalars.count == 1
        else { return (nil, 1) }
        return (scalar, length)
    }

    // System calls on paths, through their exact bytes.

    /// `O_PATH`, which Swift's Glibc module lacks: a descriptor that only names a place.
    public static let pathOnly: Int32 = 0o10_000_000

    /// `O_TMPFILE` (with `O_DIRECTORY`), which Swift's Glibc module lacks: an unnamed file in a folder.
    public static let temporaryFile: Int32 = 0o20_000_000 | O_DIRECTORY

    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        withCString(path) { Glibc.open($0, flags, mode) }
    }

    /// `stat`, following links; nil (and `errno`) on failure.
    public static func status(_ path: String) -> stat? {
        var info = stat()
        let status: Int32 = withCString(path) { fstatat(AT_FDCWD, $0, &info, 0) }
        return status == 0 ? info : nil
    }

    /// The absolute path with every link followed (`realpath`); nil (and `errno`) on failure.
    public static func resolved(_ path: String) -> String? {
        guard let result = withCString(path, { Glibc.realpath($0, nil) }) else { return nil }
        defer { free(result) }
        return string(cString: result)
    }

    /// `lstat`, not following a final link; nil (and `errno`) on failure.
    public static func linkStatus(_ path: String) -> stat? {
        var info = stat()
        let status: Int32 = withCString(path) { fstatat(AT_FDCWD, $0, &info, AT_SYMLINK_NOFOLLOW) }
        return status == 0 ? info : nil
    }

    /// Whether `path` exists and is a directory (following links).
    public static func isDirectory(_ path: String) -> Bool {
        status(path).map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false
    }

    public static func exists(_ path: String) -> Bool { linkStatus(path) != nil }

    public static func unlink(_ path: String) -> Int32 { withCString(path) { Glibc.unlink($0) } }

    public static func mkdir(_ path: String, _ mode: mode_t = 0o777) -> Int32 {
        withCString(path) { Glibc.mkdir($0, mode) }
    }

    public static func rename(_ from: String, _ to: String) -> Int32 {
        withCString(from) { a in withCString(to) { b in Glibc.rename(a, b) } }
    }

    public static func access(_ path: String, _ mode: Int32) -> Int32 {
        withCString(path) { Glibc.access($0, mode) }
    }

    /// The names in a directory (not `.` and `..`), in byte order; nil (and `errno`) on failure.
    public static func entries(_ path: String) -> [String]? {
        guard let directory = withCString(path, { opendir($0) }) else { return nil }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }.map { string($0) }
    }

    /// Creates `path` and its missing parents.
    public static func makeDirectories(_ path: String) throws(FileError) {
        if isDirectory(path) { return }
        let parent = directory(of: path)
        if parent != path, parent != ".", parent != "/" { try makeDirectories(parent) }
        if mkdir(path) != 0, errno != EEXIST || !isDirectory(path) { throw FileError(path: path, errno: errno) }
    }

    /// The folder part of a path: `a/b` → `a`, `b` → `.`, `/b` → `/`.
    public static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// The last component: `a/b.png` → `b.png`.
    public static func name(of path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }
}
