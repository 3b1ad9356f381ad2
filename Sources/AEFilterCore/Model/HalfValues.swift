import CAENumerics
import Glibc

/// IEEE half-precision values, in place in memory that lives as long as the
/// process (an embedded checkpoint) or in a copy of their own (a file's): a
/// model computes from them through ``Backend/gemmHalf(m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
/// with no widened copy, which for the tutorial's model would be 7.4 MB of
/// pages to fault in before the first image.
public struct HalfValues: @unchecked Sendable, Equatable {
    /// The first value's two bytes, little-endian, at any alignment.
    public let base: UnsafeRawPointer
    public let count: Int
    /// The copy `base` points into, if the values have one.
    private let storage: Storage?

    /// Values at `base`, which must outlive every copy of this value.
    public init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
        storage = nil
    }

    /// A copy of the `count` values at `source`, kept as long as any copy of this value.
    public init(copying source: UnsafeRawPointer, count: Int) {
        let storage = Storage(bytes: 2 * count)
        storage.pointer.copyMemory(from: source, byteCount: 2 * count)
        self.base = UnsafeRawPointer(storage.pointer)
        self.count = count
        self.storage = storage
    }

    /// `count` values that `write` stores, as bit patterns, into a copy of their own.
    public init(count: Int, writing write: (UnsafeMutablePointer<UInt16>) -> Void) {
        let storage = Storage(bytes: 2 * count)
        write(storage.pointer.bindMemory(to: UInt16.self, capacity: max(1, count)))
        self.base = UnsafeRawPointer(storage.pointer)
        self.count = count
        self.storage = storage
    }

    private final class Storage {
        let pointer: UnsafeMutableRawPointer
        init(bytes: Int) { pointer = .allocate(byteCount: max(1, bytes), alignment: 16) }
        deinit { pointer.deallocate() }
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
