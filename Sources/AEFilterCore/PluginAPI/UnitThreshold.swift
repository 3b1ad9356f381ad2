/// A probability as the integer bound on 24 random bits that
/// `RandomGenerator.nextBelow(_:)` compares against.
public struct UnitThreshold: Sendable {
    /// The number of 24-bit draws below the probability.
    public let bits: UInt64

    /// `Float(k) / 2^24 < probability` exactly when `k < bits`.
    public init(_ probability: Float) {
        bits = UInt64(min(max((Double(probability) * 16_777_216).rounded(.up), 0), 16_777_216))
    }
}
