import AEFilterCore
import ArgumentParser
import FoundationEssentials
import Glibc

/// Where each input's PNG goes: standard output, one named file, or a directory.
struct OutputPlan {
    enum Target {
        case standardOutput
        case file(String)
        case directory(String)
    }

    let target: Target

    init(output: String?, inputs: [String]) throws {
        guard let output else {
            target = .standardOutput
            return
        }
        guard Self.isDirectory(output) else {
            target = .file(output)
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            Diagnostics.report(output, "cannot create directory")
            throw ExitCode.failure
        }
        target = .directory(output)
        var seen: [String: String] = [:]
        for input in inputs {
            let path = Self.path(in: output, for: input)
            if let other = seen[path] {
                throw ValidationError("inputs '\(other)' and '\(input)' would both write \(path)")
            }
            seen[path] = input
        }
    }

    /// `-o` names a directory when it ends in `/` or already is one.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return path.hasSuffix("/") || (stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR)
    }

    /// DIR/<input name without extension>.png; standard input becomes stdin.png.
    static func path(in directory: String, for input: String) -> String {
        let base = input == "-" ? "stdin" : URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        return URL(fileURLWithPath: directory).appendingPathComponent(base + ".png").path
    }

    func label(_ input: String) -> String { input == "-" ? "<stdin>" : input }

    func write(_ png: [UInt8], for input: String) throws {
        switch target {
        case .standardOutput:
            try Self.writeAll(png, to: STDOUT_FILENO)
        case .file(let path):
            try Self.write(png, to: path, for: input)
        case .directory(let directory):
            try Self.write(png, to: Self.path(in: directory, for: input), for: input)
        }
    }

    static func write(_ png: [UInt8], to path: String, for input: String) throws {
        try Self.guardInput(input, isNot: path)
        do {
            try AtomicFile.write(png, to: path)
        } catch {
            throw OutputError(description: "cannot write \(path): \(error.reason)")
        }
    }

    /// Inputs are never written, not even when an output path names one.
    static func guardInput(_ input: String, isNot output: String) throws {
        guard input != "-" else { return }
        var a = stat(), b = stat()
        if stat(input, &a) == 0, stat(output, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino {
            throw OutputError(description: "refusing to overwrite the input with its output")
        }
    }

    static func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    // The reader is gone (`| head`): nothing more can be delivered.
                    if errno == EPIPE { throw ReaderGone() }
                    throw OutputError(description: "cannot write standard output: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}

/// An output that could not be written.
struct OutputError: Error, CustomStringConvertible {
    let description: String
}

/// Standard output's reader closed the pipe; the run ends quietly.
struct ReaderGone: Error {}
