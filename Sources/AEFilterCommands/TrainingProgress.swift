import AEFilterCore
import AESystem
import AETraining
import Glibc

/// Reports training: a live line with rate and time left on a terminal
/// (``ProgressLine``), one line per evaluation, and optional JSON lines in a
/// log file. `quiet` keeps only the log.
final class TrainingProgress {
    let total: Int
    let quiet: Bool
    let log: UnsafeMutablePointer<FILE>?
    let logPath: String?
    let line: ProgressLine
    /// The log could not be written (reported once); the run ends with status 1.
    private(set) var logFailed = false

    init(total: Int, from iteration: Int = 0, logPath: String?, quiet: Bool = false) {
        self.total = total
        self.quiet = quiet
        line = ProgressLine(label: "train", unit: .count("iterations"), quiet: quiet)
        self.logPath = logPath
        log = logPath.flatMap { fopen($0, "a") }
        if let logPath, log == nil {
            Diagnostics.report(logPath, "cannot open the log: \(String(cString: strerror(errno)))")
        }
        line.start(total: total, at: iteration)
    }

    func step(_ iteration: Int) { line.update(iteration) }

    func evaluation(_ point: EvaluationPoint) {
        let text =
            "iteration \(point.iteration)/\(total)  train loss \(format(point.trainLoss, 5))  test MSE \(format(point.testMSE, 5))  "
            + "PSNR \(format(point.testPSNR, 2)) dB  \(format(point.elapsedSeconds, 1)) s  \(Int(point.imagesPerSecond)) img/s"
        if !quiet {
            line.clear()
            write(text + "\n")
        }
        if let log {
            let json = JSONOutput.object([
                ("iteration", .integer(point.iteration)), ("train_loss", .number(point.trainLoss)),
                ("test_mse", .number(point.testMSE)), ("test_psnr", .number(point.testPSNR)),
                ("elapsed_s", .number(point.elapsedSeconds)), ("images_per_s", .number(point.imagesPerSecond)),
            ])
            if !logFailed, fputs(json.text + "\n", log) < 0 || fflush(log) != 0 {
                logFailed = true
                Diagnostics.report(
                    logPath ?? "--log", "cannot write the log: \(String(cString: strerror(errno))); training goes on")
            }
        }
    }

    func finish() {
        line.finish()
        if let log { fclose(log) }
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
