import Foundation

/// Runs the built `ae-filter` binary as a user would.
public enum CLI {
    public struct Result {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: String
        public var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

        public init(status: Int32, stdout: [UInt8], stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// The binary beside the test bundle (the same build configuration), else any built one.
    public static let binary: String = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "ae-filter"
            ).path,
            Fixtures.root.appendingPathComponent(".build/release/ae-filter").path,
            Fixtures.root.appendingPathComponent(".build/debug/ae-filter").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// A program that exits before reading all its input must not end the tests.
    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    public static func run(_ arguments: [String], stdin: [UInt8] = [], in directory: String? = nil) throws -> Result {
        try run(executable: binary, arguments, stdin: stdin, in: directory)
    }

    /// Runs any program, feeding `stdin` and collecting both outputs.
    public static func run(
        executable: String, _ arguments: [String], stdin: [UInt8] = [], in directory: String? = nil,
        environment: [String: String]? = nil
    ) throws -> Result {
        _ = ignoreBrokenPipes
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        if let environment { process.environment = environment }
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Feed stdin and drain both outputs concurrently so that no pipe fills up.
        let stdinHandle = input.fileHandleForWriting
        let stderrHandle = error.fileHandleForReading
        DispatchQueue.global().async {
            try? stdinHandle.write(contentsOf: Data(stdin))
            try? stdinHandle.close()
        }
        let drained = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var errorData = Data()
        DispatchQueue.global().async {
            errorData = stderrHandle.readDataToEndOfFile()
            drained.signal()
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        drained.wait()
        return Result(
            status: process.terminationStatus, stdout: Array(outData),
            stderr: String(decoding: errorData, as: UTF8.self))
    }

    /// A fresh empty directory under the system's temporary directory.
    public static func temporaryDirectory() throws -> String {
        let path = "\(temporaryRoot)/\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// One folder per test process for every temporary directory, removed when the process exits.
    static let temporaryRoot: String = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ae-filter-tests-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        atexit {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("ae-filter-tests-\(getpid())").path
            // Tests leave FIFOs and read-only folders: make everything removable first.
            _ = try? CLI.run(executable: "/bin/chmod", ["-R", "u+rwx", root])
            try? FileManager.default.removeItem(atPath: root)
        }
        return root
    }()
}

extension CLI {
    /// Runs a Python 3 script with `arguments` (sys.argv[1:]); the binary is `sys.argv[1]` by convention.
    public static func python(_ script: String, _ arguments: [String], in directory: String? = nil) throws -> Result {
        try run(executable: "/usr/bin/env", ["python3", "-c", script] + arguments, in: directory)
    }

    /// The lines the run printed on standard output.
    public static func lines(_ result: Result) -> [String] {
        String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
