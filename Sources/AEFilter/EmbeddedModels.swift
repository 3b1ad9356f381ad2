import AEFilterCore
import CAEEmbeddedModels

/// The models built into the executable, by name: `--model NAME`.
public enum EmbeddedModels {
    /// The names, the default first.
    public static let names = ["universal", "blind", "mask", "salt-pepper", "gaussian", "tutorial"]

    /// The model `--model` means when it is not given and no noise is added:
    /// the best on clean images and on every noise but dropout (docs/models.md).
    public static let defaultName = "universal"

    /// The model trained for each built-in noise model over its range of levels.
    public static let specialists = [
        "dropout": "blind", "mask": "mask", "salt-pepper": "salt-pepper", "gaussian": "gaussian",
    ]

    /// The model for images the tool adds this noise to: its specialist, else
    /// (a noise model from a module, say) the universal model.
    public static func specialist(for noiseModel: String) -> String { specialists[noiseModel] ?? "universal" }

    /// The embedded checkpoint's bytes, read in place; nil for an unknown name.
    public static func bytes(_ name: String) -> UnsafeRawBufferPointer? {
        var size = 0
        guard let start = CAEEmbeddedModels_bytes(name, &size) else { return nil }
        return UnsafeRawBufferPointer(start: start, count: size)
    }

    /// The embedded checkpoint `name`, parsed; nil for an unknown name.
    public static func load(_ name: String, architectures: ArchitectureRegistry) throws(CheckpointError) -> Checkpoint?
    {
        guard let bytes = bytes(name) else { return nil }
        // The bytes are part of the executable: F16 weights are used where they are.
        return try Checkpoint(parsed: SafeTensors.parse(bytes, halves: .inPlace), architectures: architectures)
    }
}
