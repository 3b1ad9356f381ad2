import Foundation
import TestSupport
import Testing

/// The checkpoint behind --model and info, whatever the file turns out to
/// be: a device, a pipe, empty, endless, absurd or overflowing.
@Suite struct ModelFileTests {
    /// Never a crash, never an unbounded read: one line naming the file, exit 1.
    @Test(arguments: [
        (["info", "/dev/null"], "file too short for a safetensors header (0 bytes)"),
        (["info", "/dev/zero"], "header is not valid JSON"),
        (["--model", "/dev/null"], "file too short for a safetensors header (0 bytes)"),
        (["eval", "--model", "/dev/null"], "file too short for a safetensors header (0 bytes)"),
    ])
    func aCheckpointThatIsADeviceIsOneLine(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments, stdin: Fixtures.bytes(shirt))
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1 && result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func aShortCheckpointOnStandardInputIsOneLine() throws {
        let result = try CLI.run(["info", "-"], stdin: Array("abc".utf8))
        #expect(result.status == 1)
        #expect(result.stderrLines == ["ae-filter: -: file too short for a safetensors header (3 bytes)"])
    }

    /// A pipe is opened once and read to the end its header declares.
    @Test func aCheckpointThroughAFIFOLoads() throws {
        let dir = try CLI.temporaryDirectory()
        let script = """
            import os, subprocess, sys, threading
            os.mkfifo('m.fifo')
            def feed():
                with open('m.fifo', 'wb') as f: f.write(open(sys.argv[2], 'rb').read())
            threading.Thread(target=feed).start()
            r = subprocess.run([sys.argv[1], 'info', 'm.fifo'], capture_output=True, timeout=30)
            print(r.returncode, r.stdout.decode().splitlines()[0] if r.stdout else r.stderr.decode())
            """
        let result = try CLI.python(script, [CLI.binary, Fixtures.referenceCheckpoint], in: dir)
        #expect(CLI.lines(result) == ["0 model: m.fifo"], "\(result.stderr)")
    }

    /// A sparse file far larger than any checkpoint is refused before it is read.
    @Test func anAbsurdlyLargeCheckpointIsRefusedUnread() throws {
        let dir = try CLI.temporaryDirectory()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/big").touch())
        try handle.truncate(atOffset: 20 << 30)
        try handle.close()
        let result = try CLI.run(["info", "\(dir)/big"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("larger than the 2048 MiB this can be"), "\(result.stderr)")
    }

    @Test func infoJSONParses() throws {
        let result = try CLI.run(["info", "--json"])
        #expect(result.status == 0)
        #expect(try parsesStrictly(result.stdout))
    }

    /// A checkpoint whose hidden size is out of range says what the range is.
    @Test func theHiddenSizeLimitIsStated() throws {
        let dir = try CLI.temporaryDirectory()
        let made = try CLI.python(
            """
            import json, struct, sys
            header = {'fc1.weight': {'dtype': 'F32', 'shape': [70000, 784], 'data_offsets': [0, 0]}}
            text = json.dumps(header).encode()
            open(sys.argv[1], 'wb').write(struct.pack('<Q', len(text)) + text)
            """, ["\(dir)/big.safetensors"])
        #expect(made.status == 0)
        let result = try CLI.run(["info", "\(dir)/big.safetensors"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("H from 1 to 65536") || result.stderr.contains("larger than the file"))
    }

    /// Finite weights can still overflow on an input: that image fails instead of coming out black or white.
    @Test func anOutputThatIsNotFiniteIsReported() throws {
        let dir = try CLI.temporaryDirectory()
        let made = try CLI.python(
            """
            import json, struct, sys
            data = open(sys.argv[1], 'rb').read()
            n = struct.unpack('<Q', data[:8])[0]
            header = json.loads(data[8:8 + n])
            body = bytearray(data[8 + n:])
            begin, end = header['fc1.weight']['data_offsets']
            body[begin:end] = struct.pack('<f', 3e38) * ((end - begin) // 4)
            open(sys.argv[2], 'wb').write(data[:8 + n] + bytes(body))
            """, [Fixtures.referenceCheckpoint, "\(dir)/m.safetensors"])
        #expect(made.status == 0, "\(made.stderr)")
        let result = try CLI.run(["--model", "\(dir)/m.safetensors", shirt])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("the model's output is not finite"), "\(result.stderr)")
    }
}
