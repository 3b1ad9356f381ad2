import AEFilterCore
import AESystem
import AETraining
import Glibc

/// Reports training: a live bar on a terminal, plain lines otherwise, and
/// optional JSON lines in a log file.
final class TrainingProgress {
    let total: Int
    let interactive = isatty(STDERR_FILENO) == 1
    let log: UnsafeMutablePointer<FILE>?
    var lastDrawn = 0

    init(total: Int, logPath: String?) {
        self.total = total
        log = logPath.flatMap { fopen($0, "a") }
        if let logPath, log == nil {
            Diagnostics.report(logPath, "cannot open the log: \(String(cString: strerror(errno)))")
        }
    }

    func step(_ iteration: Int) {
        guard interactive, iteration - lastDrawn >= 10 || iteration == total else { return }
        lastDrawn = iteration
        let width = 30
        let filled = width * iteration / max(1, total)
        write(
            "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                + "] \(iteration)/\(total)")
    }

    func evaluation(_ point: EvaluationPoint) {
        let line =
            "iteration \(point.iteration)/\(total)  train loss \(format(point.trainLoss, 5))  test MSE \(format(point.testMSE, 5))  "
            + "PSNR \(format(point.testPSNR, 2)) dB  \(format(point.elapsedSeconds, 1)) s  \(Int(point.imagesPerSecond)) img/s"
        write((interactive ? "\r\u{1B}[K" : "") + line + "\n")
        if let log {
            let json = JSONOutput.object([
                ("iteration", .integer(point.iteration)), ("train_loss", .number(point.trainLoss)),
                ("test_mse", .number(point.testMSE)), ("test_psnr", .number(point.testPSNR)),
                ("elapsed_s", .number(point.elapsedSeconds)), ("images_per_s", .number(point.imagesPerSecond)),
            ])
            fputs(json.text + "\n", log)
            fflush(log)
        }
    }

    func finish() {
        if interactive { write("\r\u{1B}[K") }
        if let log { fclose(log) }
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
