import AEFilterCore
import AESystem
import Testing

@Suite struct Base64Tests {
    @Test func roundTripsEveryLengthAndMatchesRFC4648() {
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fooba".utf8)) == "Zm9vYmE=")
        #expect(Base64.encode(Array("foob".utf8)) == "Zm9vYg==")
        var rng = RandomGenerator(seed: 3)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(Base64.decode(Array(Base64.encode(bytes).utf8)) == bytes)
        }
    }

    @Test func acceptsURLSafeAndUnpaddedRejectsGarbage() {
        #expect(Base64.decode(Array("-_8".utf8)) == [0xFB, 0xFF])
        #expect(Base64.decode(Array("Zm9vYg".utf8)) == Array("foob".utf8))
        #expect(Base64.decode(Array("Zm9v YmFy".utf8)) == nil)
        #expect(Base64.decode(Array("Zm9=vYmFy".utf8)) == nil)
        #expect(Base64.decode(Array("Z".utf8)) == nil)
    }
}
