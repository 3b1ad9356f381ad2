import AEFilterCore
import Foundation
import TestSupport
import Testing
import UNetArchitecture

/// Hostile U-Net checkpoints: each gets one clear error, found from the
/// header and shapes before anything is allocated for the model.
@Suite struct UNetCheckpointTests {
    /// The fixture's tensors and metadata, changed by `change`, as file bytes.
    static func file(_ change: (inout [String: SafeTensors.Tensor], inout [String: String]) -> Void) throws -> [UInt8] {
        let parsed = try SafeTensors.parse(Fixtures.bytes(Fixtures.reference("unet/unet-4-2-3.safetensors")))
        var tensors = parsed.tensors
        var metadata = parsed.metadata
        change(&tensors, &metadata)
        return SafeTensors.serialize(tensors, metadata: metadata)
    }

    static func error(_ bytes: [UInt8]) -> String? {
        do {
            _ = try Checkpoint(bytes: bytes, architectures: Fixtures.architectures)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theFixtureLoads() throws {
        #expect(Self.error(try Self.file { _, _ in }) == nil)
    }

    @Test(arguments: [
        ("architecture.channels", "100000", "metadata architecture.channels '100000' is not from 1 to 256"),
        ("architecture.channels", "-4", "metadata architecture.channels '-4' is not from 1 to 256"),
        ("architecture.depth", "9", "metadata architecture.depth '9' is not from 1 to 2"),
        ("architecture.kernel_size", "4", "metadata architecture.kernel_size 4 is not odd"),
        ("architecture.kernel_size", "3x", "metadata architecture.kernel_size '3x' is not from 1 to 7"),
        ("architecture.channels", "8", "encoder.0.conv1.weight has shape [4, 1, 3, 3], expected [8, 1, 3, 3]"),
    ])
    func absurdOrInconsistentHyperparametersAreOneLine(key: String, value: String, message: String) throws {
        #expect(Self.error(try Self.file { _, metadata in metadata[key] = value }) == message)
    }

    @Test func aTensorOfTheWrongShapeIsNamed() throws {
        let bytes = try Self.file { tensors, _ in
            tensors["decoder.1.conv1.weight"] = .init(shape: [8, 12, 3, 3], values: [Float](repeating: 0, count: 864))
        }
        #expect(Self.error(bytes) == "decoder.1.conv1.weight has shape [8, 12, 3, 3], expected [8, 16, 3, 3]")
    }

    @Test func aMissingOrAnExtraTensorIsNamed() throws {
        #expect(
            Self.error(try Self.file { tensors, _ in tensors["head.bias"] = nil })
                == "missing tensor 'head.weight' or 'head.bias'")
        #expect(
            Self.error(try Self.file { tensors, _ in tensors["fc1.weight"] = .init(shape: [1], values: [0]) })
                == "unexpected tensor 'fc1.weight' (not of the unet architecture)")
    }

    @Test func aNonFiniteWeightIsRefused() throws {
        let bytes = try Self.file { tensors, _ in
            var bias = tensors["head.bias"]!
            bias.values[0] = .nan
            tensors["head.bias"] = bias
        }
        #expect(Self.error(bytes)?.contains("head.bias") == true)
    }
}
