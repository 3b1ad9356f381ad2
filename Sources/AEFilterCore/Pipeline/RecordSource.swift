/// Where a run's records come from: files, a stream, lines.
public protocol RecordSource<Record> {
    /// What one record is, e.g. a tag and a stage input.
    associatedtype Record

    /// The next record, or nil at the end.
    mutating func next() -> Record?

    /// True when `next()` would have to wait for more input; the runner then
    /// sends a partial batch on instead of holding it back.
    func isWaiting() -> Bool
}

extension RecordSource {
    public func isWaiting() -> Bool { false }
}
