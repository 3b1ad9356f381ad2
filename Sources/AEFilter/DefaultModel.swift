import AEFilterCore
import CAEDefaultModel

/// The model used when no `--model` is given: trained by `ae-filter train`
/// (the command is in its metadata and the README) and embedded in the executable.
public enum DefaultModel {
    /// The embedded checkpoint's bytes, read in place.
    public static var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: CAEDefaultModel_bytes(), count: CAEDefaultModel_size())
    }

    /// The embedded checkpoint, parsed.
    public static func load() throws(CheckpointError) -> Checkpoint {
        try Checkpoint(parsed: SafeTensors.parse(bytes))
    }
}
