import Glibc

/// xoshiro256** seeded through SplitMix64: fast, small and reproducible
/// on every platform, unlike `SystemRandomNumberGenerator`.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// A generator for `seed`; different `stream`s give independent sequences,
    /// so item `i` of a run can get its own generator whatever the order of work.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var x = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&x)
        s1 = splitMix(&x)
        s2 = splitMix(&x)
        s3 = splitMix(&x)
    }

    /// A generator that goes on from `state` (see ``state``).
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// The four words of state, for generators that live outside Swift:
    /// a plugin module's `ae_filter_rng`, which it draws from through this
    /// type's own methods, called back over the C ABI.
    public var state: (UInt64, UInt64, UInt64, UInt64) {
        get { (s0, s1, s2, s3) }
        set { (s0, s1, s2, s3) = newValue }
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform `Float` in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// `nextUnitFloat() < probability` without the conversion: the same draw
    /// and the same answer, as an integer comparison on the 24 bits.
    @inlinable
    public mutating func nextBelow(_ threshold: UnitThreshold) -> Bool {
        next() >> 40 < threshold.bits
    }

    /// Calls `body` with the keep masks of `count` draws, in chunks: for
    /// each draw, 0 where `nextBelow(threshold)` would be true, all ones
    /// otherwise. Drawing first and comparing in a second loop keeps the
    /// coin flips out of branches, which mispredict half the time.
    @inlinable
    public mutating func withKeepMasks(
        _ count: Int, below threshold: UnitThreshold,
        _ body: (_ offset: Int, _ masks: UnsafeBufferPointer<UInt32>) -> Void
    ) {
        let chunk = 256  // a multiple of 8: whole vectors below
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: chunk) { masks in
            var offset = 0
            while offset < count {
                let n = min(chunk, count - offset)
                for j in 0..<n { masks[j] = UInt32(truncatingIfNeeded: next() >> 40) }
                for j in n..<(n + 7) & ~7 { masks[j] = 0 }  // the last vector's unused lanes
                // Compared as vectors; a scalar loop here compiles back to branches.
                let bound = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: threshold.bits))
                let raw = UnsafeMutableRawPointer(masks.baseAddress!)
                var j = 0
                while j < n {
                    let draws = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<UInt32>.self)
                    raw.storeBytes(
                        of: SIMD8<UInt32>(repeating: ~0).replacing(with: 0, where: draws .< bound), toByteOffset: j * 4,
                        as: SIMD8<UInt32>.self)
                    j += 8
                }
                body(offset, UnsafeBufferPointer(rebasing: masks[0..<n]))
                offset += n
            }
        }
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = Double(next() >> 11) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let r = (-2 * log(1 - u1)).squareRoot()
        return Float(r * cos(2 * Double.pi * u2))
    }
}
