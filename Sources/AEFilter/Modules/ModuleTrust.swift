import AESystem
import Glibc

/// Whether a module file may be loaded: judged along the whole way to it.
///
/// The path is followed one step at a time, as the kernel follows it. Every
/// folder passed through, every link followed and the file reached must
/// belong to the user or root and be writable by no one else; an entry of a
/// sticky folder of root's (such as `/tmp`) may sit there if it is the
/// user's or root's, since no one else can rename it. So whoever can write
/// a folder on the way cannot choose which file is opened.
enum ModuleTrust {
    /// The file the path leads to, or why it must not be loaded.
    static func follow(_ path: String) -> Result<String, ModuleError> {
        var pending = components(path)
        if !path.hasPrefix("/") {
            // A relative path is judged from / through the current folder.
            guard let cwd = Path.resolved(".") else {
                return .failure(ModuleError("the current folder cannot be examined"))
            }
            pending = components(cwd) + pending
        }
        pending.reverse()
        var here = "/"
        if let problem = folderProblem(here) { return .failure(ModuleError(problem)) }
        var links = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                here = Path.directory(of: here)
                continue
            }
            let next = here == "/" ? "/" + component : here + "/" + component
            guard let info = Path.linkStatus(next) else {
                return .failure(ModuleError(FileError(path: next, errno: errno).reason))
            }
            let isLast = pending.isEmpty
            if let problem = entryProblem(next, info, in: here) { return .failure(ModuleError(problem)) }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                links += 1
                guard links <= 40, let target = readLink(next) else {
                    return .failure(ModuleError("the link \(Path.display(next)) cannot be followed"))
                }
                if target.hasPrefix("/") { here = "/" }
                pending.append(contentsOf: components(target).reversed())
            case S_IFDIR:
                if let problem = folderProblem(next) { return .failure(ModuleError(problem)) }
                here = next
            case S_IFREG where isLast:
                here = next
            default:
                return .failure(ModuleError(isLast ? "not a regular file" : "\(Path.display(next)) is not a folder"))
            }
        }
        return .success(here)
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }

    /// Why an entry (a link, a folder or the file) cannot be trusted where it sits, or nil.
    static func entryProblem(_ path: String, _ info: stat, in folder: String) -> String? {
        let type = info.st_mode & S_IFMT
        let what =
            type == S_IFREG ? "it" : "the \(type == S_IFLNK ? "link" : "folder") \(Path.display(path)) on the way to it"
        if info.st_uid != getuid() && info.st_uid != 0 { return "\(what) belongs to another user (uid \(info.st_uid))" }
        // A link's own mode bits mean nothing, and a folder's are judged as a folder.
        if type == S_IFREG, info.st_mode & (S_IWGRP | S_IWOTH) != 0 { return "it can be written by other users" }
        return nil
    }

    /// Why entries of `folder` could be replaced by someone else, or nil.
    static func folderProblem(_ folder: String) -> String? {
        let what = "the folder \(Path.display(folder)) on the way to it"
        guard let info = Path.status(folder) else { return "\(what) cannot be examined" }
        if info.st_uid != getuid() && info.st_uid != 0 { return "\(what) belongs to another user (uid \(info.st_uid))" }
        let sticky = info.st_mode & S_ISVTX != 0 && info.st_uid == 0
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0, !sticky { return "\(what) can be written by other users" }
        return nil
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = Path.withCString(path) { readlink($0, &buffer, buffer.count - 1) }
        guard count > 0 else { return nil }
        return Path.string(buffer[0..<count].map { UInt8(bitPattern: $0) })
    }
}
