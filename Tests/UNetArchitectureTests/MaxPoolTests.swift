import AEFilterCore
import Testing
import UNetArchitecture

/// 2×2 max pooling as PyTorch's `max_pool2d`: the first of equal values in
/// row order, a NaN wherever one is, and which of the four each output took.
@Suite struct MaxPoolTests {
    /// One image of side 2 with `channels` channels: window position `w`, channel `c` holds `values[w][c]`.
    static func pool(_ values: [[Float]]) -> (output: [Float], chosen: [UInt8]) {
        let channels = values[0].count
        let input = (0..<4).flatMap { values[$0] }
        var output = [Float](repeating: -1, count: channels)
        var chosen = [UInt8](repeating: 9, count: channels)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                chosen.withUnsafeMutableBufferPointer { k in
                    Pooling.maxPool(
                        x.baseAddress!, images: 1, side: 2, channels: channels, into: y.baseAddress!,
                        chosen: k.baseAddress!)
                }
            }
        }
        return (output, chosen)
    }

    @Test func theFirstOfEqualValuesAndAnyNaNWin() {
        // 20 channels, so vector and scalar tails both run.
        let cases: [([Float], Float, UInt8)] = [
            ([1, 2, 3, 4], 4, 3), ([4, 3, 2, 1], 4, 0), ([2, 5, 5, 1], 5, 1), ([7, 7, 7, 7], 7, 0),
            ([1, .nan, 3, 4], .nan, 1), ([.nan, 9, 3, 4], .nan, 0), ([-0.0, 0.0, 0, 0], -0.0, 0),
            ([-.infinity, -5, -6, -7], -5, 1), ([0, 0, 0, .nan], .nan, 3), ([1, .nan, .nan, 2], .nan, 2),
        ]
        let channels = 20
        let values = (0..<4).map { w in (0..<channels).map { cases[$0 % cases.count].0[w] } }
        let (output, chosen) = Self.pool(values)
        for c in 0..<channels {
            let (_, expected, which) = cases[c % cases.count]
            #expect(output[c].bitPattern == expected.bitPattern || (output[c].isNaN && expected.isNaN), "channel \(c)")
            #expect(chosen[c] == which, "channel \(c)")
        }
    }
}
