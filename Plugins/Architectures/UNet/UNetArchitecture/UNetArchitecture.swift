import AEFilterCore

/// The U-Net as a registered architecture: `unet`.
public enum UNetArchitecture {
    public static let hyperparameters = [
        ArchitectureRegistry.Hyperparameter(
            name: "channels", defaultValue: 32, meaning: "channels of the first level", values: 1...256),
        ArchitectureRegistry.Hyperparameter(
            name: "depth", defaultValue: 2, meaning: "halvings of the 28x28 image", values: 1...2),
        ArchitectureRegistry.Hyperparameter(
            name: "kernel_size", defaultValue: 3, meaning: "convolution size, odd", values: 1...7,
            check: { $0 % 2 == 1 ? nil : "must be odd (a convolution needs a centre pixel)" }),
    ]

    /// Registers `unet`.
    public static func register(into registry: inout ArchitectureRegistry) {
        registry.register(
            name: UNet.name,
            summary: "a convolutional U-Net: channels, depth and kernel size are options",
            hyperparameters: hyperparameters,
            make: { values, rng in
                UNet(
                    channels: values["channels"] ?? 32, depth: values["depth"] ?? 2,
                    kernel: oddKernel(values["kernel_size"] ?? 3), rng: &rng)
            },
            load: load)
    }

    /// An even kernel size is made odd (a same-padded convolution needs a centre).
    static func oddKernel(_ size: Int) -> Int { size | 1 }

    /// The U-Net a checkpoint holds: its hyper-parameters from the metadata,
    /// every tensor checked against them before anything is built.
    static func load(_ tensors: [String: SafeTensors.Tensor], _ metadata: [String: String]) throws(CheckpointError)
        -> any DenoisingModel
    {
        let channels = try ArchitectureRegistry.hyperparameter("channels", in: metadata, default: 32, values: 1...256)
        let depth = try ArchitectureRegistry.hyperparameter("depth", in: metadata, default: 2, values: 1...2)
        let kernel = try ArchitectureRegistry.hyperparameter("kernel_size", in: metadata, default: 3, values: 1...7)
        guard kernel % 2 == 1 else { throw CheckpointError("metadata architecture.kernel_size \(kernel) is not odd") }
        do {
            return try make(channels, depth, kernel, tensors)
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError("\(error)")
        }
    }

    static func make(_ channels: Int, _ depth: Int, _ kernel: Int, _ tensors: [String: SafeTensors.Tensor]) throws
        -> UNet
    {
        try UNet(channels: channels, depth: depth, kernel: kernel) { name, inputs, outputs, size in
            guard let weight = tensors[name + ".weight"], let bias = tensors[name + ".bias"] else {
                throw CheckpointError("missing tensor '\(name).weight' or '\(name).bias'")
            }
            guard weight.shape == [outputs, inputs, size, size] else {
                throw CheckpointError(
                    "\(name).weight has shape \(weight.shape), expected \([outputs, inputs, size, size])")
            }
            guard bias.shape == [outputs] else {
                throw CheckpointError("\(name).bias has shape \(bias.shape), expected [\(outputs)]")
            }
            return (WeightMatrix(weight), bias.values)
        }
    }
}
