import AESystem

/// Forward-only ``UNetPass``es kept between calls, by group size, so that a
/// pass's buffers are faulted in once and the filter's first one can be made
/// ahead of time (``UNet/warmUp(helper:)``). A few per size, for concurrent callers.
final class UNetPassPool: @unchecked Sendable {
    private let lock = Lock()
    private var idle: [Int: [UNetPass]] = [:]
    private var sharedHelper: HelpingHand?

    /// The helper forward passes of a few images share (``UNet/warmUp(helper:)``); nil: none.
    var helper: HelpingHand? {
        get { lock.locked { sharedHelper } }
        set { lock.locked { sharedHelper = newValue } }
    }
    static let kept = 4

    /// A kept pass for `images` images, or nil.
    func take(images: Int) -> UNetPass? {
        lock.locked { idle[images]?.popLast() }
    }

    /// Keeps `pass` for a later call, unless enough are kept.
    func give(_ pass: UNetPass) {
        precondition(!pass.training)
        lock.locked {
            if idle[pass.images, default: []].count < Self.kept { idle[pass.images, default: []].append(pass) }
        }
    }
}
