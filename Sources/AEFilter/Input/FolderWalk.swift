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
    private let shouldStop: () -> Bool

    /// Walks `root`; outputs mirror it under `relative` (empty for the folder
    /// itself). A stop request ends the walk, however many entries it passes over.
    init(
        root: String, relative: String, excluding excluded: (dev_t, ino_t)?,
        shouldStop: @escaping () -> Bool = { false }
    ) {
        pendingRoot = (root, relative)
        self.excluded = excluded
        self.shouldStop = shouldStop
    }

    public static func isImageName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// The next image file, or a folder or link that could not be read; nil at the end.
    mutating func next() -> (origin: InputOrigin, payload: InputPayload)? {
        if let root = pendingRoot {
            pendingRoot = nil
            if let failure = enter(root.path, relative: root.relative) { return failure }
        }
        while !stack.isEmpty, !shouldStop() {
            let level = stack.count - 1
            guard stack[level].next < stack[level].names.count else {
                stack.removeLast()
                continue
            }
            let name = stack[level].names[stack[level].next]
            stack[level].next += 1
            let path = Self.join(stack[level].path, name)
            let relative = Self.join(stack[level].relative, name)
            let origin = InputOrigin.file(path: path, relative: relative)
            guard var info = Path.linkStatus(path) else {
                return (origin, .failed(FileError(path: path, errno: errno)))
            }
            var type = info.st_mode & S_IFMT
            if type == S_IFLNK {
                // A link is followed to a file, never to a folder (no cycles);
                // one that leads nowhere is reported if it names an image.
                guard let target = Path.status(path) else {
                    guard Self.isImageName(name) else { continue }
                    let reason = errno == ELOOP ? "a symbolic link that loops" : "a dangling symbolic link"
                    return (origin, .failed(FileError(path: path, reason: reason)))
                }
                info = target
                type = info.st_mode & S_IFMT
                if type == S_IFDIR { continue }
            }
            if type == S_IFDIR {
                if let failure = enter(path, relative: relative) { return failure }
            } else if Self.isImageName(name) {
                // A FIFO or device named like an image is not read (it could
                // wait or run forever), but it is not passed over in silence.
                guard type == S_IFREG else {
                    return (origin, .failed(FileError(path: path, reason: "not a regular file; skipped")))
                }
                return (origin, .file(path))
            }
        }
        return nil
    }

    private mutating func enter(_ path: String, relative: String) -> (origin: InputOrigin, payload: InputPayload)? {
        if let excluded, let info = Path.status(path), info.st_dev == excluded.0, info.st_ino == excluded.1 {
            return nil
        }
        guard let names = Path.entries(path) else {
            return (.file(path: path, relative: relative), .failed(FileError(path: path, errno: errno)))
        }
        stack.append(Level(path: path, relative: relative, names: names.filter { !$0.hasPrefix(".") }))
        return nil
    }

    static func join(_ a: String, _ b: String) -> String {
        a.isEmpty ? b : a.hasSuffix("/") ? a + b : a + "/" + b
    }
}
