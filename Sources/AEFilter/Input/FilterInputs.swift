import AEFilterCore
import AESystem
import Glibc
import Synchronization

/// How a run's inputs are read.
public struct InputSettings: Sendable {
    /// One base64 record per line instead of raw image streams.
    public var lines = false
    /// `--files-from`: a file (or `-`) listing more inputs.
    public var filesFrom: String?
    /// The list is NUL-separated.
    public var nulSeparated = false

    public init() {}
}

/// Counts kept by the input side.
public final class InputCounts: Sendable {
    private let skippedCount = Atomic<Int>(0)
    public var skipped: Int { skippedCount.load(ordering: .relaxed) }
    func skip() { skippedCount.add(1, ordering: .relaxed) }
    public init() {}
}

/// Every input of a run, in order: arguments (files, folders, `-`), then the
/// `--files-from` list. Folders are walked, streams split into images.
public struct FilterInputs: RecordSource {
    private enum Current {
        case stream(ImageStream)
        case lines(LineStream)
        case walk(FolderWalk)
    }

    private let settings: InputSettings
    private let admit: (InputOrigin) -> Admission
    private let excluded: (dev_t, ino_t)?
    /// Files no input may be (the output): such an input fails instead of being read.
    private let protected: Set<FileIdentity>
    private let counts: InputCounts
    private let shouldStop: () -> Bool
    private var arguments: [String]
    private var nextArgument = 0
    private var list: PathList?
    private var listDone = false
    private var listFD: Int32 = -1
    private var current: Current?
    private var currentFD: Int32 = -1

    /// `admit` decides, before reading, whether an input is processed (from
    /// the output side: `--skip-existing`, clashing outputs). `excluding` is a
    /// folder never walked into (the output folder).
    public init(
        arguments: [String], settings: InputSettings, excluding: String? = nil,
        protecting protected: Set<FileIdentity> = [], counts: InputCounts,
        shouldStop: @escaping () -> Bool = { false }, admit: @escaping (InputOrigin) -> Admission = { _ in .process }
    ) {
        self.arguments = arguments
        self.settings = settings
        self.admit = admit
        self.counts = counts
        self.shouldStop = shouldStop
        self.protected = protected
        excluded = excluding.flatMap(Path.status).map { ($0.st_dev, $0.st_ino) }
    }

    public func isWaiting() -> Bool {
        switch current {
        case .stream(let stream): return stream.isWaiting()
        case .lines(let lines): return lines.isWaiting()
        case .walk, nil: return false
        }
    }

    public mutating func next() -> (InputOrigin, InputRecord)? {
        while !shouldStop() {
            guard let (origin, payload) = nextInput() else { return nil }
            var record = InputRecord(stream: origin.noiseStream, payload: payload)
            if case .file(let path) = payload, !protected.isEmpty, let identity = FileIdentity(path: path),
                protected.contains(identity)
            {
                record.payload = .failed(InputError("is also the output; refusing to overwrite an input"))
            } else if case .failed = payload {
            } else {
                switch admit(origin) {
                case .process: break
                case .skip:
                    counts.skip()
                    continue
                case .reject(let error): record.payload = .failed(error)
                }
            }
            return (origin, record)
        }
        return nil
    }

    private mutating func nextInput() -> (origin: InputOrigin, payload: InputPayload)? {
        while !shouldStop() {
            if let item = nextFromCurrent() { return item }
            if nextArgument < arguments.count {
                let argument = arguments[nextArgument]
                nextArgument += 1
                if let item = start(argument, relative: nil) { return item }
                continue
            }
            guard let path = nextListed() else { return nil }
            switch path {
            case .success(let path) where path == "-":
                return (
                    .file(path: path, relative: path),
                    .failed(InputError("a list entry '-' is not standard input; write ./- for a file named -"))
                )
            case .success(let path):
                if let item = start(path, relative: PathList.relative(path)) { return item }
            case .failure(let error):
                return (.file(path: settings.filesFrom ?? "-", relative: ""), .failed(error))
            }
        }
        return nil
    }

    private mutating func nextFromCurrent() -> (origin: InputOrigin, payload: InputPayload)? {
        let item: (origin: InputOrigin, payload: InputPayload)?
        switch current {
        case .stream(var stream):
            item = stream.next()
            current = .stream(stream)
        case .lines(var lines):
            item = lines.next()
            current = .lines(lines)
        case .walk(var walk):
            item = walk.next()
            current = .walk(walk)
        case nil:
            return nil
        }
        if item == nil {
            current = nil
            if currentFD > STDIN_FILENO { close(currentFD) }
            currentFD = -1
        }
        return item
    }

    private mutating func nextListed() -> Result<String, any Error>? {
        guard let name = settings.filesFrom, !listDone else { return nil }
        if list == nil {
            if name == "-", StandardStreams.inputWasClosed {
                listDone = true
                return .failure(StandardStreams.closedInput)
            }
            let fd = name == "-" ? STDIN_FILENO : Waiting.openForReading(name)
            guard fd >= 0 else {
                listDone = true
                return .failure(FileError(path: name, errno: errno))
            }
            listFD = fd
            list = PathList(
                FileDescriptorSource(fd: fd, name: name), name: name, nulSeparated: settings.nulSeparated,
                shouldStop: shouldStop)
        }
        let result: Result<String, any Error>?
        do {
            result = try list!.next().map { .success($0) }
        } catch {
            result = .failure(error)
        }
        if case .success = result { return result }
        // The list ended or broke: it is done, and its file closed.
        listDone = true
        if listFD > STDIN_FILENO { close(listFD) }
        return result
    }

    /// Starts one input; returns it directly when it is a single file.
    /// `relative` is where a listed path mirrors to; arguments mirror by name.
    /// How many inputs `arguments` hold, when that is known without reading
    /// them: named image files count one each, folders are walked (names only).
    /// Nil with standard input, `--lines`, `--files-from`, or a file that may
    /// be a stream of images (an IDX or gzip file, or a name not like an image's).
    public static func total(
        arguments: [String], settings: InputSettings, excluding: String? = nil, shouldStop: () -> Bool = { false }
    ) -> Int? {
        guard !settings.lines, settings.filesFrom == nil else { return nil }
        let excluded = excluding.flatMap(Path.status).map { ($0.st_dev, $0.st_ino) }
        var total = 0
        for path in arguments {
            guard path != "-", let info = Path.status(path) else { return nil }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                var walk = FolderWalk(root: path, relative: "", excluding: excluded)
                while walk.next() != nil {
                    if shouldStop() { return nil }
                    total += 1
                }
            } else if FolderWalk.isImageName(Path.name(of: path)) {
                total += 1
            } else {
                return nil
            }
        }
        return total
    }

    private mutating func start(_ path: String, relative: String?) -> (origin: InputOrigin, payload: InputPayload)? {
        if path == "-" {
            if StandardStreams.inputWasClosed {
                return (.file(path: "-", relative: "-"), .failed(InputError("standard input is closed")))
            }
            if let identity = FileIdentity(fd: STDIN_FILENO), protected.contains(identity) {
                return (
                    .stream(name: "-", position: 0),
                    .failed(InputError("standard input is also the output; refusing to overwrite an input"))
                )
            }
            let source = FileDescriptorSource(fd: STDIN_FILENO, name: "-")
            current = settings.lines ? .lines(LineStream(source, name: "-")) : .stream(ImageStream(source, name: "-"))
            return nil
        }
        let base = Path.name(of: path)
        let origin = InputOrigin.file(path: path, relative: relative ?? base)
        guard let info = Path.status(path) else { return (origin, .failed(FileError(path: path, errno: errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            current = .walk(
                FolderWalk(root: path, relative: relative ?? "", excluding: excluded, shouldStop: shouldStop))
            return nil
        }
        // A listed FIFO or device is treated as a walk treats one: reported,
        // never read (it could wait or run forever). One named as an argument is read.
        if relative != nil, (info.st_mode & S_IFMT) != S_IFREG {
            return (origin, .failed(FileError(path: path, reason: "not a regular file; skipped")))
        }
        guard settings.lines || !FolderWalk.isImageName(base) else { return (origin, .file(path)) }
        // Other names are looked at: an IDX or gzip file is a stream of images.
        let fd = Waiting.openForReading(path)
        guard fd >= 0 else { return (origin, .failed(FileError(path: path, errno: errno))) }
        var head = [UInt8](repeating: 0xFF, count: 4)
        let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 4, 0) }
        let isStream = got >= 2 && ((head[0] == 0x1F && head[1] == 0x8B) || (got == 4 && head[0...2] == [0, 0, 8]))
        guard settings.lines || isStream else {
            close(fd)
            return (origin, .file(path))
        }
        currentFD = fd
        let source = FileDescriptorSource(fd: fd, name: path)
        current = settings.lines ? .lines(LineStream(source, name: path)) : .stream(ImageStream(source, name: path))
        return nil
    }
}
