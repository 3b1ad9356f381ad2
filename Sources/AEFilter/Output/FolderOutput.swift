import AEFilter
import AEFilterCore
import AEImageIO
import AESystem
import FoundationEssentials
import Glibc

/// `-o DIR`: one file per input under DIR. Folders given as inputs are
/// mirrored, files from `--files-from` keep their relative paths, named files
/// and streams use their names. Files are written by the workers, atomically.
final class FolderOutput: @unchecked Sendable {
    let directory: String
    let format: OutputFormat
    let skipExisting: Bool
    /// Outputs claimed so far (producer thread only), so no input overwrites another's.
    private var claimed: [String: String] = [:]

    init(directory: String, format: OutputFormat, skipExisting: Bool) throws {
        var path = directory
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.directory = path
        self.format = format
        self.skipExisting = skipExisting
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw OutputError(description: "cannot create directory \(directory)")
        }
    }

    /// `-o` names a directory when it ends in `/` or already is one.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return path.hasSuffix("/") || (stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR)
    }

    /// Where an input's output goes, or why it cannot have one.
    func destination(for origin: InputOrigin) throws -> String {
        let relative: String
        switch origin {
        case .file(_, let path):
            relative = Self.replacingExtension(path)
            guard !relative.split(separator: "/").contains("..") else {
                throw InputError("cannot mirror a path with '..' under \(directory)")
            }
        case .stream(let name, let position):
            let base = name == "-" ? "stdin" : Self.streamBase(name)
            relative = base + "-" + Self.padded(position + 1)
        case .line:
            preconditionFailure("lines mode writes a stream")
        }
        return joinPath(directory, relative) + "." + format.rawValue
    }

    /// Decides on the producer thread, before reading: skip, reject, or go.
    func admit(_ origin: InputOrigin) -> Admission {
        do {
            let path = try destination(for: origin)
            if let other = claimed[path] {
                return .reject(InputError("its output \(path) is also the output of \(other)"))
            }
            claimed[path] = origin.label
            if skipExisting, access(path, F_OK) == 0 { return .skip }
            return .process
        } catch {
            return .reject(error)
        }
    }

    /// Writes one output (on a worker): never over its own input, parents created as needed.
    func store(_ bytes: [UInt8], for origin: InputOrigin) throws {
        let path = try destination(for: origin)
        if case .file(let input, _) = origin {
            var a = stat()
            var b = stat()
            if stat(input, &a) == 0, stat(path, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino {
                throw InputError("refusing to overwrite the input with its output")
            }
        }
        do {
            try AtomicFile.write(bytes, to: path, durable: false)
        } catch  where error.reason == String(cString: strerror(ENOENT)) {
            let parent = String(path[..<path.lastIndex(of: "/")!])
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                try AtomicFile.write(bytes, to: path, durable: false)
            } catch {
                throw InputError("cannot write \(path): \((error as? FileError)?.reason ?? "cannot create its folder")")
            }
        } catch {
            throw InputError("cannot write \(path): \(error.reason)")
        }
    }

    static func replacingExtension(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return path }
        return String(path.dropLast(name.distance(from: dot, to: name.endIndex)))
    }

    /// A stream file's name without its extensions (`t10k-images-idx3-ubyte.gz` → `t10k-images-idx3-ubyte`).
    static func streamBase(_ path: String) -> String {
        var base = path.split(separator: "/").last.map(String.init) ?? path
        if base.hasSuffix(".gz") { base.removeLast(3) }
        return replacingExtension(base)
    }

    static func padded(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}

private func joinPath(_ a: String, _ b: String) -> String { a.hasSuffix("/") ? a + b : a + "/" + b }
