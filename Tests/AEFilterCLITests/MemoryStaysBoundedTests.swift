import Foundation
import TestSupport
import Testing

/// "Memory stays bounded" (the man page): memory follows what an input
/// holds, not what it declares, nor how many images a stream brings.
@Suite(.serialized) struct MemoryStaysBoundedTests {
    @Test func memoryStaysBoundedOnALongStream() throws {
        // 200,000 images through a pipe; the peak RSS is the child's, from the kernel.
        let count = 200_000
        let script = """
            import resource, subprocess, sys, threading
            png = open(sys.argv[1], 'rb').read()
            p = subprocess.Popen(sys.argv[3:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            def feed():
                chunk = png * 1000
                for _ in range(int(sys.argv[2]) // 1000): p.stdin.write(chunk)
                p.stdin.close()
            threading.Thread(target=feed).start()
            size = 0
            while True:
                block = p.stdout.read(1 << 20)
                if not block: break
                size += len(block)
            err = p.stderr.read().decode()
            p.wait()
            print(p.returncode, size, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, err.strip())
            """
        let result = try CLI.run(
            executable: "/usr/bin/env",
            [
                "python3", "-c", script, shirt, String(count), CLI.binary, "--model", Fixtures.referenceCheckpoint,
                "--noise", "0.5", "--format", "idx", "--summary",
            ])
        let fields = String(decoding: result.stdout, as: UTF8.self).split(separator: " ", maxSplits: 3)
        #expect(fields.count == 4, "\(result.stderr)")
        guard fields.count == 4 else { return }
        #expect(fields[0] == "0")
        #expect(Int(fields[1]) == 16 + count * 784)
        #expect(fields[3].contains("summary: \(count) processed, 0 failed"))
        let peakKB = Int(fields[2]) ?? .max
        #expect(peakKB < 100_000, "peak RSS \(peakKB) KB")
    }

    /// Writes COUNT copies of a random 1000×1000 grey PNG (1 MB) to the
    /// filter's standard input, and prints its peak memory in KB after its lines.
    static let bigStream = """
        import os, resource, struct, subprocess, sys, zlib
        count = int(sys.argv[1])
        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
        rows = b''.join(b'\\0' + os.urandom(1000) for _ in range(1000))
        png = (b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1000, 1000, 8, 0, 0, 0, 0))
               + chunk(b'IDAT', zlib.compress(rows, 1)) + chunk(b'IEND', b''))
        p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        import threading
        def feed():
            for _ in range(count):
                p.stdin.write(png)
            p.stdin.close()
        threading.Thread(target=feed).start()
        out = p.stdout.read()
        err = p.stderr.read()
        p.wait()
        sys.stdout.write(f'{len(out)}\\n')
        sys.stderr.write(err.decode())
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
        sys.exit(p.returncode)
        """

    /// Read-ahead is bounded by bytes, not by image count, and a batch's
    /// images are let go once taken: 300 one-megabyte images through standard
    /// input took 568 MB (second probe of issue 24); memory no longer grows
    /// with the count.
    @Test(arguments: [["-j", "1", "--batch-size", "4"], []])
    func aStreamOfLargeImagesKeepsMemoryFlat(options: [String]) throws {
        var peaks: [Int] = []
        for count in [40, 300] {
            let result = try CLI.python(
                Self.bigStream, ["\(count)", CLI.binary, "--model", "tutorial", "--format", "pgm"] + options + ["-"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(CLI.lines(result).first == "\(count * (13 + 784))")
            peaks.append(Int(result.stderrLines.last ?? "") ?? .max)
        }
        #expect(peaks[1] < 200_000 && peaks[1] < peaks[0] + 40_000, "peaks \(peaks) KB")
    }

    /// Writes a PNG declaring `width × height` grey pixels (`rows` of its
    /// rows really there, all one value), runs the filter on it, and prints
    /// the filter's peak memory in KB after its own lines.
    static let bigPNG = """
        import resource, struct, subprocess, sys, zlib
        path, width, height, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
        z = zlib.compressobj(9)
        line = b'\\0' + b'\\x80' * width
        data = b''.join(z.compress(line) for _ in range(rows)) + z.flush()
        with open(path, 'wb') as f:
            f.write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0))
                    + chunk(b'IDAT', data) + chunk(b'IEND', b''))
        r = subprocess.run(sys.argv[5:] + [path], capture_output=True)
        sys.stdout.buffer.write(r.stdout)
        sys.stderr.write(r.stderr.decode())
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
        sys.exit(r.returncode)
        """

    /// Memory follows what an image holds, not what it declares (issue 24,
    /// L7): a 68-byte PNG that declares 1×64,000,000 pixels is refused before
    /// any buffer of that size (it took 516 MB), and a 64-megapixel grey PNG
    /// costs its pixels once, not several copies of them (it took 391 MB).
    @Test(arguments: [(1, 64_000_000, 10, 60_000, false), (8000, 8000, 8000, 120_000, true)])
    func memoryFollowsTheImageNotItsClaims(width: Int, height: Int, rows: Int, limitKB: Int, whole: Bool) throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.python(
            Self.bigPNG, ["\(dir)/big.png", "\(width)", "\(height)", "\(rows)", CLI.binary, "--format", "pgm"])
        let peakKB = Int(result.stderrLines.last ?? "") ?? .max
        #expect(peakKB < limitKB, "peak \(peakKB) KB")
        if whole {
            #expect(result.status == 0 && result.stdout.count == 13 + 784, "\(result.stderr)")
        } else {
            #expect(result.status == 1)
            #expect(
                result.stderrLines.first?.contains("far too short for its declared size") == true, "\(result.stderr)")
        }
    }

    /// A PNM header on standard input that declares 9000×9000 over 100 KB of
    /// data costs about the data, not the declared 243 MB (second probe of issue 24).
    @Test func aStreamedHeaderDoesNotAllocateWhatItDeclares() throws {
        let script = """
            import resource, subprocess, sys
            data = b'P6 9000 9000 255\\n' + bytes(100000)
            r = subprocess.run(sys.argv[1:], input=data, capture_output=True)
            sys.stderr.write(r.stderr.decode())
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
            sys.exit(r.returncode)
            """
        let result = try CLI.python(script, [CLI.binary] + model + ["--format", "pgm", "-"])
        let peakKB = Int(result.stderrLines.last ?? "") ?? .max
        #expect(result.status == 1)
        #expect(result.stderrLines.first?.contains("truncated PNM data: the input ends before the image does") == true)
        #expect(peakKB < 80_000, "peak \(peakKB) KB")
    }
}
