import AEFilterCore

/// The model used when no `--model` is given.
public enum DefaultModel {
    /// The embedded checkpoint, or an error saying why there is none.
    public static func load() throws(CheckpointError) -> Checkpoint {
        throw CheckpointError(
            "this build has no embedded default model yet (it comes with `ae-filter train`); "
                + "pass --model FILE, e.g. ../shared/reference/tutorial-pytorch-4800it.safetensors")
    }
}
