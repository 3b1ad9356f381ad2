/// What a bad input does to the output (`--on-error`). In every case it gets
/// one line on standard error.
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// Nothing is written in its place (a lines record keeps its key, with an
    /// empty payload), and the run exits 1 at the end.
    case report
    /// As `report`, but a PNG, PGM or IDX stream gets a blank image in its
    /// place, so the images after it keep their positions.
    case placeholder
    /// Lines mode: the record comes out as `KEY<TAB><TAB>error: MESSAGE`, and
    /// a bad record alone does not make the exit status non-zero (for cluster
    /// jobs that fail a whole task on any non-zero status).
    case mark
    /// The first bad input ends the run: nothing after it is written; exit 1.
    case stop
}

/// Ends a run at its first bad input (``ErrorPolicy/stop``).
public struct StoppedAtError: Error {}
