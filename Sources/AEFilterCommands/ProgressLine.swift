import AESystem
import Glibc
import Synchronization

/// One status line on standard error for a long task, redrawn in place:
///
///     let line = ProgressLine(label: "train-images-idx3-ubyte.gz", quiet: quiet)
///     line.start(total: 26_421_880)  // nil when the total is unknown
///     line.update(received)          // as often as you like; drawn at most ~10 times a second
///     line.finish()                  // the last state, then a newline
///
/// It shows the count (bytes as KiB/MiB/GiB, or plain numbers with a noun,
/// `.count("images")`), the rate, and the percentage and time left when the
/// total is known. It draws only on a terminal and when not `quiet`; with
/// `TERM=dumb` it prints nothing until `finish()`, then one line; `NO_COLOR`
/// leaves the label plain. Errors go to ``Diagnostics`` as usual.
final class ProgressLine {
    enum Unit {
        case bytes
        case count(String)
    }

    let label: String
    let unit: Unit
    private let output: Int32
    /// Off (quiet, or not a terminal), final line only (`TERM=dumb`), or redrawn.
    private let mode: Mode
    private let bold: Bool
    private var total: Int?
    /// A total found later, on another thread; drawn from then on.
    let laterTotal = LaterTotal()
    private var first = 0
    private var count = 0
    private var startTime = 0.0
    private var lastDraw = -1.0
    private var running = false
    /// Seconds before the first drawing: a task that ends sooner shows nothing.
    private var delay = 0.0
    private var shown = false

    /// The line on the screen now, if any: messages clear it first (see ``clearCurrent()``).
    nonisolated(unsafe) private static var current: ProgressLine?

    private enum Mode { case off, finalOnly, live }

    init(label: String, unit: Unit = .bytes, quiet: Bool = false, output: Int32 = STDERR_FILENO) {
        self.label = Path.sanitized(label)
        self.unit = unit
        self.output = output
        let term = Self.variable("TERM")
        if quiet || isatty(output) != 1 {
            mode = .off
        } else {
            mode = term == "dumb" ? .finalOnly : .live
        }
        bold = mode == .live && (Self.variable("NO_COLOR") ?? "").isEmpty
    }

    /// Begins (again) at `count` of `total`; the rate counts from here.
    /// With `delay`, nothing is drawn until that many seconds have passed.
    func start(total: Int?, at count: Int = 0, delay: Double = 0) {
        self.total = total
        first = count
        self.count = count
        self.delay = delay
        shown = false
        startTime = Self.now()
        lastDraw = -1
        running = true
        Self.current = self
        draw(force: true)
    }

    /// Whether anything is drawn at all (a terminal, not quiet).
    var isDrawn: Bool { mode != .off }

    /// Erases the live line, so a message can take its place; the next
    /// update draws it again below the message.
    func clear() {
        guard mode == .live, running, shown else { return }
        write("\r\u{1B}[K")
        lastDraw = -1
    }

    /// Clears the line on the screen, if there is one (before a message).
    static func clearCurrent() { current?.clear() }

    /// The count so far.
    func update(_ count: Int) {
        self.count = count
        draw(force: false)
    }

    /// Draws the last state for good, with a newline; nothing more until the next `start`.
    func finish() {
        guard running else { return }
        running = false
        if Self.current === self { Self.current = nil }
        guard mode != .off, shown || Self.now() - startTime >= delay else { return }
        write((mode == .live ? "\r" : "") + styled(text(final: true)) + (mode == .live ? "\u{1B}[K" : "") + "\n")
    }

    private func draw(force: Bool) {
        guard mode == .live, running else { return }
        let now = Self.now()
        guard force || now - lastDraw >= 0.1, now - startTime >= delay else { return }
        lastDraw = now
        shown = true
        write("\r" + styled(text(final: false)) + "\u{1B}[K")
    }

    /// The line: label, count[/total], percentage, rate, time left (or time taken when final).
    func text(final: Bool) -> String {
        if total == nil, let later = laterTotal.value { total = later }
        var parts = [label]
        let elapsed = Self.now() - startTime
        if let total {
            let percent = total > 0 ? min(100, count * 100 / total) : 100
            switch unit {
            case .bytes: parts.append("\(amount(count)) / \(amount(total))  \(percent)%")
            case .count(let noun): parts.append("\(count)/\(total) \(noun)  \(percent)%")
            }
        } else {
            parts.append(amount(count))
        }
        let rate = elapsed >= 0.5 ? Double(count - first) / elapsed : nil
        if final {
            parts.append("in \(Self.duration(elapsed))")
            if let rate { parts.append(speed(rate)) }
        } else if let rate {
            parts.append(speed(rate))
            if let total, rate > 0, count < total {
                parts.append("ETA \(Self.duration(Double(total - count) / rate))")
            }
        }
        let line = parts.filter { !$0.isEmpty }.joined(separator: "  ")
        let width = Self.columns(output)
        return width > 1 && line.count >= width ? String(line.prefix(width - 1)) : line
    }

    private func styled(_ line: String) -> String {
        guard bold, !label.isEmpty, line.hasPrefix(label) else { return line }
        return "\u{1B}[1m" + label + "\u{1B}[0m" + line.dropFirst(label.count)
    }

    private func amount(_ value: Int) -> String {
        switch unit {
        case .bytes: Self.bytes(Double(value))
        case .count(let noun): "\(value) \(noun)"
        }
    }

    private func speed(_ perSecond: Double) -> String {
        switch unit {
        case .bytes: Self.bytes(perSecond) + "/s"
        case .count(let noun): "\(format(perSecond, perSecond < 10 ? 1 : 0)) \(noun)/s"
        }
    }

    /// 512 B, 12.3 KiB, 4.5 MiB, 1.25 GiB.
    static func bytes(_ value: Double) -> String {
        if value < 1024 { return "\(Int(value)) B" }
        if value < 1024 * 1024 { return format(value / 1024, 1) + " KiB" }
        if value < 1024 * 1024 * 1024 { return format(value / (1024 * 1024), 1) + " MiB" }
        return format(value / (1024 * 1024 * 1024), 2) + " GiB"
    }

    /// 4.2s, 1:05, 2:03:04.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 60 { return format(seconds, 1) + "s" }
        let whole = Int(seconds.rounded())
        let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60)
        let mmss = (h > 0 && m < 10 ? "0" : "") + "\(m):" + (s < 10 ? "0" : "") + "\(s)"
        return h > 0 ? "\(h):" + mmss : mmss
    }

    private static func columns(_ fd: Int32) -> Int {
        var size = winsize()
        return ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 ? Int(size.ws_col) : 0
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) }
    }
}

/// A progress total that another thread finds (a folder counted while the run goes on).
final class LaterTotal: Sendable {
    private let stored = Atomic<Int>(-1)

    /// The total, once known.
    var value: Int? {
        let value = stored.load(ordering: .relaxed)
        return value >= 0 ? value : nil
    }

    func store(_ total: Int) { stored.store(total, ordering: .relaxed) }
}
