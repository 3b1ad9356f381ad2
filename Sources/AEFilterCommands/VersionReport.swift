import AEFilter
import AEFilterCore

/// `ae-filter --version -v`: the version, and where each embedded model comes from.
enum VersionReport {
    static func text(plugins: PluginSet) -> String {
        var lines = ["ae-filter \(AEFilterVersion.current)", "embedded models:"]
        for name in EmbeddedModels.names {
            let title = name == EmbeddedModels.defaultName ? "\(name) (the default)" : name
            guard let checkpoint = try? EmbeddedModels.load(name, architectures: plugins.architectures) else {
                lines.append("  \(title): cannot be read")
                continue
            }
            let metadata = checkpoint.metadata
            lines.append("  \(title): \(checkpoint.model.summary)")
            if let command = metadata[.trainCommand] { lines.append("    trained with: \(command)") }
            if let range = metadata[.trainNoiseRange], range != "none" {
                lines.append(
                    "    noise levels: each image's drawn from \(range.split(separator: ":").joined(separator: " to "))"
                )
            }
            if let mix = metadata[.trainNoiseMix], mix != "none" {
                lines.append("    noise: each image draws one of \(mix.split(separator: ",").joined(separator: ", "))")
            }
            if let psnr = metadata[.metricsTestPSNR].flatMap(Double.init) {
                let noise = [metadata[.noiseModel], metadata[.noise]].compactMap { $0 }.joined(separator: " ")
                lines.append("    test PSNR: \(format(psnr, 2)) dB (10,000 test images, \(noise))")
            }
            if let official = metadata[.dataOfficial] {
                lines.append("    data: " + (official == "true" ? "the official Fashion-MNIST files" : "other files"))
            }
            if let version = metadata[.version] { lines.append("    by: ae-filter \(version)") }
        }
        return lines.joined(separator: "\n")
    }
}
