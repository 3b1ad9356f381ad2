import AEFilter
import AEFilterCore
import TestSupport
import Testing

/// What every registered output format promises, whatever it writes.
@Suite struct OutputFormatConformanceTests {
    static let names = Fixtures.plugins.formats.names

    @Test func theStandardFormatsAreRegistered() {
        #expect(Set(["png", "pgm", "idx"]).isSubset(of: Self.names))
    }

    @Test(arguments: names)
    func conforms(name: String) throws {
        #expect(OutputFormatConformance.problems(try Fixtures.plugins.formats.format(name)) == [])
    }

    /// The checker itself catches a format that breaks the rules.
    @Test func aBadFormatIsCaught() {
        struct Sloppy: OutputFormat {
            let name = "Sloppy.Format"
            let layout = OutputLayout.oneFile
            func record(_ image: GrayImage) -> [UInt8] { [UInt8.random(in: 0...255)] }
            func header(count: Int, width: Int, height: Int) -> [UInt8] { Array(String(count).utf8) }
        }
        let problems = OutputFormatConformance.problems(Sloppy())
        #expect(
            problems.contains("'Sloppy.Format': a format's name is its file extension: lower-case letters and digits"))
        #expect(problems.contains("Sloppy.Format: the same image gave different records"))
        #expect(
            problems.contains(
                "Sloppy.Format: the header's length depends on the count, so it cannot be rewritten in place"))
    }

    @Test func unknownNamesListTheKnownOnes() {
        #expect(throws: RegistryError.unknown(kind: "output format", name: "tiff", known: Self.names)) {
            try Fixtures.plugins.formats.format("tiff")
        }
    }
}
