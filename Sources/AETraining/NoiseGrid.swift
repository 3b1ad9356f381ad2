/// The noise models and levels a model is judged on: `eval --grid`.
public struct NoiseGrid: Sendable, Equatable {
    /// One noise model and its levels, lowest first.
    public struct Row: Sendable, Equatable {
        public let noiseModel: String
        public let levels: [Float]

        public init(noiseModel: String, levels: [Float]) {
            self.noiseModel = noiseModel
            self.levels = levels
        }
    }

    public let rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// Every built-in noise model over its useful range.
    public static let standard = NoiseGrid(rows: [
        Row(noiseModel: "dropout", levels: [0.1, 0.3, 0.5, 0.7]),
        Row(noiseModel: "mask", levels: [0.1, 0.3, 0.5]),
        Row(noiseModel: "salt-pepper", levels: [0.05, 0.1, 0.2]),
        Row(noiseModel: "gaussian", levels: [0.05, 0.1, 0.2, 0.3]),
    ])

    /// Parses `NAME=L,L;NAME=L,...`; nil for anything else (levels are
    /// finite and 0 or more, each name once).
    public init?(_ text: String) {
        var rows: [Row] = []
        for item in text.split(separator: ";", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !rows.contains(where: { $0.noiseModel == parts[0] }) else {
                return nil
            }
            let levels = parts[1].split(separator: ",", omittingEmptySubsequences: false).map {
                Float(String($0.filter { $0 != " " }))
            }
            guard !levels.isEmpty, levels.allSatisfy({ $0 != nil && $0!.isFinite && $0! >= 0 }) else { return nil }
            rows.append(Row(noiseModel: String(parts[0]), levels: levels.map { $0! }))
        }
        self.init(rows: rows)
    }
}
