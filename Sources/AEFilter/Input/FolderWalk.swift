import AEFilterCore
import AESystem
import Glibc

/// The image files under a folder, depth first, each folder's entries in
/// byte order of their names, so runs are repeatable. Hidden entries and
/// links to folders are not followed; an excluded folder (the output) is skipped.
public struct FolderWalk {
    /// The extensions a walk picks up (any case); named files may be anything.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jpe", "jfif", "pgm", "ppm", "pbm", "pnm"]

    private struct Level {
        let path: String
        let relative: String
        var names: [String]
        var next = 0
    }

    private var stack: [Level] = []
    private var pendingRoot: (path: String, relative: String)?
    private let excluded: (dev_t, ino_t)?

    /// Walks `root`; outputs mirror it under `relative` (empty for the folder itself).
    init(root: String, relative: String, excluding excluded: (dev_t, ino_t)?) {
        pendingRoot = (root, relative)
        self.excluded = excluded
    }

    public static func isImageName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// The next image file, or a folder that could not be read; nil at the end.
    mutating func next() -> (origin: InputOrigin, payload: InputPayload)? {
        if let root = pendingRoot {
            pendingRoot = nil
            if let failure = enter(root.path, relative: root.relative) { return failure }
        }
        while !stack.isEmpty {
            let level = stack.count - 1
            guard stack[level].next < stack[level].names.count else {
                stack.removeLast()
                continue
            }
            let name = stack[level].names[stack[level].next]
            stack[level].next += 1
            let path = Self.join(stack[level].path, name)
            let relative = Self.join(stack[level].relative, name)
            var info = stat()
            guard lstat(path, &info) == 0 else {
                return (.file(path: path, relative: relative), .failed(FileError(path: path, errno: errno)))
            }
            var type = info.st_mode & S_IFMT
            if type == S_IFLNK {
                // A link is followed to a file, never to a folder (no cycles).
                guard stat(path, &info) == 0 else { continue }
                type = info.st_mode & S_IFMT
                if type == S_IFDIR { continue }
            }
            if type == S_IFDIR {
                if let failure = enter(path, relative: relative) { return failure }
            } else if type == S_IFREG, Self.isImageName(name) {
                return (.file(path: path, relative: relative), .file(path))
            }
        }
        return nil
    }

    private mutating func enter(_ path: String, relative: String) -> (origin: InputOrigin, payload: InputPayload)? {
        var info = stat()
        if let excluded, stat(path, &info) == 0, info.st_dev == excluded.0, info.st_ino == excluded.1 { return nil }
        guard let directory = opendir(path) else {
            return (.file(path: path, relative: relative), .failed(FileError(path: path, errno: errno)))
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        stack.append(Level(path: path, relative: relative, names: names))
        return nil
    }

    static func join(_ a: String, _ b: String) -> String {
        a.isEmpty ? b : a.hasSuffix("/") ? a + b : a + "/" + b
    }
}
