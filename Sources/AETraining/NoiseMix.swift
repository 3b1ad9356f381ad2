import AEFilterCore

/// Training on a mixture of noise: each image draws one entry, uniformly,
/// then its level uniformly from that entry's range. Written
/// `dropout=0:0.7,gaussian=0:0.3`.
public struct NoiseMix: Sendable, Equatable, CustomStringConvertible {
    /// A noise model's name and the range its levels are drawn from.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let range: ClosedRange<Float>

        public init(name: String, range: ClosedRange<Float>) {
            self.name = name
            self.range = range
        }
    }

    public let entries: [Entry]

    /// At most this many entries, so a written mixture stays short.
    public static let maxEntries = 16

    public init?(entries: [Entry]) {
        guard !entries.isEmpty, entries.count <= Self.maxEntries else { return nil }
        self.entries = entries
    }

    /// Parses `NAME=LO:HI,...`; nil for anything else, an empty name or a
    /// name given twice.
    public init?(_ text: String) {
        var entries: [Entry] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let range = TrainingConfiguration.range(String(parts[1])),
                !entries.contains(where: { $0.name == parts[0] })
            else { return nil }
            entries.append(Entry(name: String(parts[0]), range: range))
        }
        self.init(entries: entries)
    }

    public var description: String {
        entries.map { "\($0.name)=\($0.range.lowerBound):\($0.range.upperBound)" }.joined(separator: ",")
    }

    /// The entry and level for one image, from its own generator.
    public func draw(_ rng: inout RandomGenerator) -> (name: String, level: Float) {
        let index = min(Int(rng.nextUnitFloat() * Float(entries.count)), entries.count - 1)
        let range = entries[index].range
        return (entries[index].name, range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUnitFloat())
    }
}
