import CAENumerics
import Testing

/// The C conversions and checks the checkpoint loader relies on.
@Suite struct NumericsTests {
    /// Every one of the 65,536 halves converts to Swift's own Float16 → Float, bit for bit, on both paths.
    @Test func halvesConvertExactlyOnBothPaths() {
        let halves = (0...UInt16.max).map { $0 }
        let expected = halves.map { Float(Float16(bitPattern: $0)).bitPattern }
        for convert in [CAENumerics_half_to_float, CAENumerics_half_to_float_portable] {
            var out = [Float](repeating: 0, count: halves.count)
            halves.withUnsafeBytes { convert($0.baseAddress, &out, halves.count) }
            let index = out.indices.first {
                out[$0].bitPattern != expected[$0] && !(out[$0].isNaN && Float(bitPattern: expected[$0]).isNaN)
            }
            #expect(index == nil, "first difference at half 0x\(String(index ?? 0, radix: 16))")
            // NaNs stay NaN with their sign.
            #expect(out[0x7E00].isNaN && out[0xFE00].isNaN && out[0xFE00].sign == .minus)
        }
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func anyNonFiniteValueIsFoundWherever(value: Float) {
        for count in [1, 63, 64, 65, 1000] {
            for position in [0, count / 2, count - 1] {
                var values = [Float](repeating: 1, count: count)
                #expect(CAENumerics_all_finite(values, count) == 1)
                values[position] = value
                #expect(CAENumerics_all_finite(values, count) == 0, "\(value) at \(position) of \(count)")
            }
        }
    }
}
