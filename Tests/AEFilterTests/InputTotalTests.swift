import AEFilter
import Foundation
import TestSupport
import Testing

/// The progress total: counted from names alone, or unknown.
@Suite struct InputTotalTests {
    @Test func namedImagesAndWalkedFoldersAreCounted() throws {
        let dir = try CLI.temporaryDirectory()
        let manager = FileManager.default
        try manager.createDirectory(atPath: "\(dir)/in/sub", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: "\(dir)/in/.hidden", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: "\(dir)/in/out", withIntermediateDirectories: true)
        for name in ["a.png", "b.JPG", "sub/c.pgm", "sub/.d.png", "sub/notes.txt", ".hidden/e.png", "out/f.png"] {
            try Data([0]).write(to: URL(fileURLWithPath: "\(dir)/in/\(name)"))
        }
        try Data([0]).write(to: URL(fileURLWithPath: "\(dir)/one.png"))
        let settings = InputSettings()
        // a.png, b.JPG, sub/c.pgm and out/f.png, then one.png.
        #expect(FilterInputs.total(arguments: ["\(dir)/in", "\(dir)/one.png"], settings: settings) == 5)
        // The output folder is not walked.
        #expect(FilterInputs.total(arguments: ["\(dir)/in"], settings: settings, excluding: "\(dir)/in/out") == 3)
    }

    @Test func streamsListsAndOtherNamesAreUnknown() throws {
        let dir = try CLI.temporaryDirectory()
        try Data([0]).write(to: URL(fileURLWithPath: "\(dir)/t10k.gz"))
        var lines = InputSettings()
        lines.lines = true
        var listed = InputSettings()
        listed.filesFrom = "-"
        #expect(FilterInputs.total(arguments: ["-"], settings: InputSettings()) == nil)
        #expect(FilterInputs.total(arguments: ["\(dir)/t10k.gz"], settings: InputSettings()) == nil)
        #expect(FilterInputs.total(arguments: ["\(dir)/missing.png"], settings: InputSettings()) == nil)
        #expect(FilterInputs.total(arguments: [dir], settings: lines) == nil)
        #expect(FilterInputs.total(arguments: [dir], settings: listed) == nil)
    }
}
