import AEFilterCore
import CAEEmbeddedModels

/// The models built into the executable, by name: `--model NAME`.
public enum EmbeddedModels {
    /// The names, the default first.
    public static let names = ["blind", "tutorial"]

    /// The model `--model` means when it is not given.
    public static let defaultName = "blind"

    /// The embedded checkpoint's bytes, read in place; nil for an unknown name.
    public static func bytes(_ name: String) -> UnsafeRawBufferPointer? {
        switch name {
        case "tutorial":
            return UnsafeRawBufferPointer(
                start: CAEEmbeddedModels_tutorial_bytes(), count: CAEEmbeddedModels_tutorial_size())
        case "blind":
            return UnsafeRawBufferPointer(start: CAEEmbeddedModels_blind_bytes(), count: CAEEmbeddedModels_blind_size())
        default: return nil
        }
    }

    /// The embedded checkpoint `name`, parsed; nil for an unknown name.
    public static func load(_ name: String, architectures: ArchitectureRegistry) throws(CheckpointError) -> Checkpoint?
    {
        guard let bytes = bytes(name) else { return nil }
        // The bytes are part of the executable: F16 weights are used where they are.
        return try Checkpoint(parsed: SafeTensors.parse(bytes, halves: .inPlace), architectures: architectures)
    }
}
