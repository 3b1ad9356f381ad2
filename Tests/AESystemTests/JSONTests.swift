import AESystem
import Testing

/// The header reader's strings: plain ones in one piece, escaped ones
/// decoded, and the same errors and repairs either way.
@Suite struct JSONTests {
    static func string(_ json: String) throws -> String? {
        try JSONValue.parse(Array(json.utf8)).string
    }

    @Test func plainAndEscapedStringsDecode() throws {
        #expect(try Self.string(#""fc1.weight""#) == "fc1.weight")
        #expect(try Self.string(#""""#) == "")
        #expect(try Self.string(#""a\"b\\c\/d\n\t""#) == "a\"b\\c/d\n\t")
        #expect(try Self.string(#""caf\u00e9 \ud83d\ude00""#) == "café 😀")
        #expect(try Self.string("\"caf\u{e9}\"") == "café")
        #expect(
            try JSONValue.parse(Array(#"{"k": ["x", "y\u0041"], "n": 2}"#.utf8))
                == .object(["k": .array([.string("x"), .string("yA")]), "n": .number(2)]))
    }

    @Test func invalidUTF8IsRepairedWithOrWithoutEscapes() throws {
        for bytes: [UInt8] in [[0x22, 0x61, 0xFF, 0x22], [0x22, 0x5C, 0x6E, 0x61, 0xFF, 0x22]] {
            let value = try JSONValue.parse(bytes).string
            #expect(value?.unicodeScalars.contains("\u{FFFD}") == true)
        }
    }

    @Test(arguments: ["\"a\u{01}b\"", "\"a\\n\u{01}\"", "\"abc", "\"a\\q\"", "\"\\ud800x\""])
    func brokenStringsAreErrors(_ json: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(json.utf8)) }
    }
}
