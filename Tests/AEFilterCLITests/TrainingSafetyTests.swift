import Foundation
import TestSupport
import Testing

/// `train` loses no work: its outputs are checked before the first step, and
/// an interrupted run's state is never replaced by accident.
@Suite(.needsData) struct TrainingSafetyTests {
    @Test(arguments: ["/nonexistent/m.safetensors", "/"])
    func anUnwritableOutputFailsBeforeTraining(output: String) throws {
        let start = Date()
        let result = try CLI.run(["train"] + data + ["--iterations", "600", "-o", output])
        #expect(result.status == 1)
        #expect(result.stderr.contains("checked before training"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func anInterruptedRunsStateIsNotReplacedWithoutForce() throws {
        let dir = try CLI.temporaryDirectory()
        try Data("state".utf8).write(to: URL(fileURLWithPath: "\(dir)/m.resume.safetensors"))
        let refused = try CLI.run(["train"] + data + ["--iterations", "2", "-o", "\(dir)/m.safetensors"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--resume") && refused.stderr.contains("--force"))
        #expect(try Fixtures.bytes("\(dir)/m.resume.safetensors") == Array("state".utf8))
        let forced = try CLI.run(
            ["train"] + data + ["--iterations", "2", "--eval-every", "2", "--force", "-o", "\(dir)/m.safetensors"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(dir)/m.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.resume.safetensors"))
    }
}
