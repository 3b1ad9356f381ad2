import AEFilterCore
import AESystem
import Foundation
import TestSupport
import Testing

@Suite struct AtomicFileTests {
    func names(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    @Test(arguments: [true, false])
    func writesNewAndReplacesExistingFilesLeavingNothingElse(durable: Bool) throws {
        let dir = try CLI.temporaryDirectory()
        let path = "\(dir)/out.png"
        // The usual permissions, 0666 less the umask, for new and replaced files.
        let mask = umask(0)
        umask(mask)
        func mode() throws -> Int? { try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int }
        try AtomicFile.write([1, 2, 3], to: path, durable: durable)
        #expect(try Fixtures.bytes(path) == [1, 2, 3])
        #expect(try mode() == 0o666 & ~Int(mask))
        try AtomicFile.write([4, 5], to: path, durable: durable)
        #expect(try Fixtures.bytes(path) == [4, 5])
        #expect(try mode() == 0o666 & ~Int(mask))
        #expect(try names(dir) == ["out.png"])
    }

    @Test func aFailedWriteKeepsThePreviousFile() throws {
        let dir = try CLI.temporaryDirectory()
        try AtomicFile.write([7], to: "\(dir)/keep", durable: true)
        let file = try AtomicFile(path: "\(dir)/keep")
        try file.write([8, 9])
        file.abort()
        #expect(try Fixtures.bytes("\(dir)/keep") == [7])
        #expect(try names(dir) == ["keep"])
        #expect(throws: FileError.self) { try AtomicFile.write([1], to: "\(dir)/missing/x", durable: false) }
    }

    @Test(arguments: [true, false])
    func aFIFOOrDeviceIsWrittenNotReplaced(durable: Bool) throws {
        let dir = try CLI.temporaryDirectory()
        let fifo = "\(dir)/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var bytes: [UInt8] = []
        DispatchQueue.global().async {
            bytes = (try? FileReader.read(fifo)) ?? []
            received.signal()
        }
        try AtomicFile.write([1, 2, 3], to: fifo, durable: durable)
        received.wait()
        #expect(bytes == [1, 2, 3])
        var info = stat()
        #expect(stat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        // (A device such as /dev/null takes the same path; not tried here, as a
        // regression would replace the machine's /dev/null when run as root.)
        #expect(try names(dir) == ["pipe"])
    }

    /// Where a file system has no unnamed files, temporary names are used;
    /// those that dead processes of this user left are removed, those of
    /// live processes kept.
    @Test func staleTemporariesOfDeadProcessesAreRemoved() throws {
        let dir = try CLI.temporaryDirectory()
        let dead = ".x.png.ae-filter-tmp-2147483646-abc"
        let alive = ".y.png.ae-filter-tmp-\(getpid())-def"
        for name in [dead, alive, "other"] { try Data([1]).write(to: URL(fileURLWithPath: "\(dir)/\(name)")) }
        let folder = open(dir, O_RDONLY | O_DIRECTORY)
        defer { close(folder) }
        AtomicFile.removeStaleTemporaries(in: folder)
        #expect(try names(dir) == [alive, "other"].sorted())
    }
}
