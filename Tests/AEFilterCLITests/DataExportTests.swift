import Foundation
import TestSupport
import Testing

/// `data export`: Fashion-MNIST images as files.
@Suite(.serialized, .needsData) struct DataExportTests {
    @Test func dataExportNamesFilesByIndexAndLabel() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(
            ["data", "export", "--split", "test", "--start", "9", "--limit", "3", "--out", dir] + data)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [
                "00009-sneaker.png", "00010-coat.png", "00011-sandal.png",
            ])
    }

    @Test(.needsData) func exportingPastTheEndIsAUsageError() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(["data", "export"] + data + ["--start", "10000", "--out", "\(dir)/x"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("past the end of the test split (10000 images)"))
    }
}
