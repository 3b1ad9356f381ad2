import Foundation
import TestSupport
import Testing

/// SIGINT and SIGTERM are honoured by every command from its first
/// instruction, even when the parent set them to be ignored: the exit status
/// is 128 + the signal's number.
@Suite(.serialized) struct SignalTests {
    /// Starts `arguments` with SIGINT and SIGTERM ignored (as a shell does for
    /// a background job), sends `signal` after `delay` seconds, and returns
    /// the exit status and how long the process took to end after the signal.
    static let script = """
        import signal, subprocess, sys, time
        number, delay = int(sys.argv[1]), float(sys.argv[2])
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        r, w = __import__('os').pipe()
        p = subprocess.Popen(sys.argv[3:], stdin=r, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        sent = time.time()
        p.send_signal(number)
        try:
            code = p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill(); code = 'hung'
        print(code, 'fast' if time.time() - sent < 5 else 'slow')
        print(p.stderr.read().decode(), end='')
        """

    static func interrupt(_ arguments: [String], signal: Int32 = SIGINT, after delay: Double) throws -> [String] {
        CLI.lines(try CLI.python(script, [String(signal), String(delay), CLI.binary] + arguments))
    }

    /// The filter waiting on standard input, at once and later.
    @Test(arguments: [0.0, 0.3])
    func theFilterStopsWhileWaitingForInput(delay: Double) throws {
        #expect(try Self.interrupt([], after: delay).first == "130 fast")
        #expect(try Self.interrupt([], signal: SIGTERM, after: delay).first == "143 fast")
    }

    /// A FIFO nobody writes to (or reads from) never keeps a stop waiting,
    /// wherever the filter meets it: the model, a list, an input, the output.
    @Test(arguments: ["--model", "--files-from", "input", "-o"])
    func aFIFOWithNobodyAtTheOtherEndDoesNotHoldUpAStop(place: String) throws {
        let dir = try CLI.temporaryDirectory()
        let fifo = "\(dir)/f.png"
        #expect(mkfifo(fifo, 0o600) == 0)
        let arguments: [String]
        switch place {
        case "input": arguments = [fifo]
        case "-o": arguments = ["-o", fifo, shirt]
        default: arguments = [place, fifo]
        }
        #expect(try Self.interrupt(arguments, signal: SIGTERM, after: 0.3).first == "143 fast")
    }

    /// A FIFO where `data export` puts a file is replaced, not waited on.
    @Test(.needsData) func dataExportReplacesAFIFOInItsFolder() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/x", withIntermediateDirectories: true)
        #expect(mkfifo("\(dir)/x/00000-ankle-boot.png", 0o600) == 0)
        let result = try CLI.run(["data", "export"] + data + ["--limit", "2", "--out", "\(dir)/x"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Fixtures.bytes("\(dir)/x/00000-ankle-boot.png").prefix(4) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test(.needsData) func evalStops() throws {
        #expect(try Self.interrupt(["eval", "--repeats", "3"] + data, after: 0.5).first == "130 fast")
        #expect(try Self.interrupt(["eval", "--repeats", "3"] + data, signal: SIGTERM, after: 0.5).first == "143 fast")
    }

    @Test(.needsData) func dataExportStops() throws {
        let dir = try CLI.temporaryDirectory()
        let lines = try Self.interrupt(
            ["data", "export"] + data + ["--split", "train", "--out", "\(dir)/x"], after: 0.8)
        #expect(lines.first == "130 fast")
    }

    /// Interrupted in its final evaluation, training keeps the finished model and says so.
    @Test(.needsData) func trainingStoppedInTheFinalEvaluationKeepsTheModel() throws {
        let dir = try CLI.temporaryDirectory()
        let lines = try Self.interrupt(
            ["train"] + data + [
                "--architecture", "unet", "--channels", "32", "--iterations", "1", "--batch-size", "4",
                "-o", "\(dir)/m.safetensors",
            ], after: 3)
        #expect(lines.first == "130 fast")
        #expect(
            lines.contains(
                "ae-filter: train: stopped during the final evaluation; the trained model is in \(dir)/m.safetensors"))
        #expect(FileManager.default.fileExists(atPath: "\(dir)/m.safetensors"))
    }

    /// Interrupted while loading its data, training writes nothing and says so.
    @Test(.needsData) func trainingStopsDuringStartUp() throws {
        let dir = try CLI.temporaryDirectory()
        let lines = try Self.interrupt(["train"] + data + ["-o", "\(dir)/m.safetensors"], after: 0.05)
        #expect(lines.first == "130 fast")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.safetensors"))
    }
}

/// One stop request often arrives as two signals: timeout(1) signals the
/// command and then its process group, and a terminal's ^C reaches every
/// process of a pipeline. The images already read are still finished and
/// written (issue 24, H2).
@Suite(.serialized) struct RepeatedSignalTests {
    /// Runs the filter on two files and a FIFO whose writer never writes, then
    /// signals as `how` says; prints the exit status and the bytes written.
    static let script = """
        import os, signal, subprocess, sys, threading, time
        how, number, fifo = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        writer = threading.Thread(target=lambda: (os.open(fifo, os.O_WRONLY), time.sleep(30)), daemon=True)
        writer.start()
        command = sys.argv[4:]
        if how == 'timeout':
            command = ['timeout', '--preserve-status', '-s', str(number), '1'] + command
        p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if how != 'timeout':
            time.sleep(1)
            p.send_signal(number)
            time.sleep(0.05)
            p.send_signal(number)
        out, err = p.communicate(timeout=20)
        print(p.returncode, len(out))
        print(err.decode(), end='')
        """

    static func run(_ how: String, _ signal: Int32) throws -> (status: String, bytes: Int, stderr: [String]) {
        let dir = try CLI.temporaryDirectory()
        let fifo = "\(dir)/late.png"
        #expect(mkfifo(fifo, 0o600) == 0)
        let second = Fixtures.root.appendingPathComponent("Samples/dark-shirt-photo.jpg").path
        let lines = CLI.lines(
            try CLI.python(
                script, [how, String(signal), fifo, CLI.binary, "--format", "pgm", shirt, second, fifo]))
        let first = lines.first?.split(separator: " ") ?? []
        return (
            first.first.map(String.init) ?? "", first.count > 1 ? Int(first[1]) ?? -1 : -1, Array(lines.dropFirst())
        )
    }

    /// 28×28 PGM: a 13-byte header and 784 bytes.
    static let twoImages = 2 * (13 + 784)

    @Test(arguments: [SIGINT, SIGTERM])
    func twoSignalsInARowFinishTheImagesInFlight(signal: Int32) throws {
        let run = try Self.run("twice", signal)
        #expect(run.status == "\(128 + signal)" && run.bytes == Self.twoImages, "\(run)")
        #expect(run.stderr.count == 1 && run.stderr[0].hasSuffix("late.png: interrupted"), "\(run.stderr)")
    }

    /// The probe's own case: timeout(1) sends the signal twice.
    @Test func underTimeoutTheImagesInFlightAreWritten() throws {
        let run = try Self.run("timeout", SIGINT)
        #expect(run.status == "130" && run.bytes == Self.twoImages, "\(run)")
    }
}

/// A stop is honoured however much input is still ahead: a list of empty
/// entries that never ends, or a thousand files already queued, finish only
/// the images being processed (second probe of issue 24).
@Suite(.serialized) struct StopWithInputAheadTests {
    @Test(arguments: [SIGINT, SIGTERM])
    func aListOfEmptyEntriesStops(signal: Int32) throws {
        let arguments = ["-0", "--files-from", "/dev/zero"]
        #expect(try SignalTests.interrupt(arguments, signal: signal, after: 0.5).first == "\(128 + signal) fast")
    }

    static let script = """
        import subprocess, sys, time
        p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        sent = time.time()
        p.terminate()
        out = p.communicate(timeout=30)[0]
        print(p.returncode, round(time.time() - sent, 2), len(out))
        """

    @Test func queuedFilesAreLeftAfterAStop() throws {
        let dir = try CLI.temporaryDirectory()
        let files = (0..<2000).map { "\(dir)/\($0).png" }
        for file in files { try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: shirt) }
        let result = try CLI.python(Self.script, [CLI.binary, "-q", "--format", "pgm"] + files)
        let fields = CLI.lines(result).first?.split(separator: " ").map(String.init) ?? []
        #expect(fields.count == 3, "\(CLI.lines(result))")
        guard fields.count == 3 else { return }
        let seconds = Double(fields[1]) ?? 99
        let images = (Int(fields[2]) ?? 0) / (13 + 784)
        #expect(fields[0] == "143")
        // Whole images only, a prefix of the input, and far from all of them.
        #expect((Int(fields[2]) ?? 0) % (13 + 784) == 0)
        #expect(images < files.count, "\(images) images in \(seconds) s")
        #expect(seconds < 10)
    }
}
