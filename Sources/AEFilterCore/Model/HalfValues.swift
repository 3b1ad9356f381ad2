import CAENumerics
import Glibc

/// IEEE half-precision values read in place from memory that lives as long
/// as the process (an embedded checkpoint): a model computes from them
/// through ``Backend/gemmHalf(m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` with no
/// widened copy, which for the tutorial's model would be 7.4 MB of pages to
/// fault in before the first image.
public struct HalfValues: @unchecked Sendable, Equatable {
    /// The first value's two bytes, little-endian, at any alignment.
    public let base: UnsafeRawPointer
    public let count: Int

    /// Values at `base`, which must outlive every copy of this value.
    public init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    /// The values widened (exactly) to `Float`.
    public var floats: [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if count > 0 { CAENumerics_half_to_float(base, out.baseAddress!, count) }
            initialized = count
        }
    }

    /// Whether no value is NaN or infinite.
    public var allFinite: Bool { CAENumerics_all_finite_half(base, count) != 0 }

    public static func == (lhs: HalfValues, rhs: HalfValues) -> Bool {
        lhs.count == rhs.count && (lhs.base == rhs.base || memcmp(lhs.base, rhs.base, 2 * lhs.count) == 0)
    }
}
