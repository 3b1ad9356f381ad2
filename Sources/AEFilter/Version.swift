/// The ae-filter version, recorded in the checkpoints it writes.
public enum AEFilterVersion {
    public static let current = "0.1.0"
}
