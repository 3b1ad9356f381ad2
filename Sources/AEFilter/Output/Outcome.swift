/// One input's result as the output side sees it: the encoded image, or
/// why there is none. Folder outputs are already written by then.
struct Outcome: Sendable {
    let origin: InputOrigin
    let result: Result<[UInt8], any Error>

    /// The lines-mode key.
    var key: String {
        if case .line(_, _, let key) = origin { return key }
        return origin.label
    }
}
