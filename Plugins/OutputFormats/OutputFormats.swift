import AEFilterCore

/// The standard output formats.
public enum OutputFormats {
    /// Registers `png`, `pgm` and `idx`, in the order `--help` lists them.
    public static func register(into registry: inout OutputFormatRegistry) {
        registry.register(PNGFormat(), summary: "a PNG per image (a stream of PNGs on standard output)")
        registry.register(PGMFormat(), summary: "binary PGM (P5); netpbm tools read a stream of them")
        registry.register(IDXFormat(), summary: "one IDX3 file holding every image")
    }
}
