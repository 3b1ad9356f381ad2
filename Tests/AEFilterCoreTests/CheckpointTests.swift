import AEFilterCore
import TestSupport
import Testing
import TutorialArchitecture

@Suite struct CheckpointTests {
    @Test(arguments: SafeTensors.DType.allCases)
    func roundTripsModelAndMetadata(dtype: SafeTensors.DType) throws {
        let model = Fixtures.randomModel(hidden: 24)
        let bytes = Checkpoint(model: model, metadata: ["noise_model": "dropout"]).serialized(dtype: dtype)
        let checkpoint = try Checkpoint(bytes: bytes, architectures: Fixtures.architectures)
        let loaded = try #require(checkpoint.model as? Autoencoder)
        #expect(loaded.hiddenSize == 24)
        #expect(checkpoint.metadata["noise_model"] == "dropout")
        #expect(checkpoint.metadata["architecture"] == "tutorial")
        #expect(checkpoint.metadata["architecture.hidden_size"] == "24")
        #expect(checkpoint.metadata["architecture.negative_slope"] == "0.01")
        if dtype == .f32 {
            #expect(loaded == model)
        } else {
            let worst = zip(loaded.fc1Weight, model.fc1Weight).map { abs($0 - $1) }.max()!
            #expect(worst < 2e-3)
            #expect(worst > 0)
        }
    }

    @Test func readsHiddenSizeFromShapes() throws {
        let model = try Fixtures.referenceModel()
        #expect(model.hiddenSize == 1176)
        #expect(model.parameterCount == 1176 * 784 * 2 + 1176 + 784)
    }

    func file(replacing name: String, with tensor: SafeTensors.Tensor?) -> [UInt8] {
        let m = Fixtures.randomModel(hidden: 4)
        var tensors: [String: SafeTensors.Tensor] = [
            "fc1.weight": .init(shape: [4, 784], values: m.fc1Weight),
            "fc1.bias": .init(shape: [4], values: m.fc1Bias),
            "fc2.weight": .init(shape: [784, 4], values: m.fc2Weight),
            "fc2.bias": .init(shape: [784], values: m.fc2Bias),
        ]
        tensors[name] = tensor
        return SafeTensors.serialize(tensors, metadata: [:])
    }

    @Test func rejectsMissingTensor() {
        #expect(throws: CheckpointError("missing tensor 'fc2.bias'")) {
            try Checkpoint(bytes: file(replacing: "fc2.bias", with: nil), architectures: Fixtures.architectures)
        }
    }

    @Test func rejectsWrongShapes() {
        #expect(throws: CheckpointError("fc1.bias has shape [5], expected [4]")) {
            try Checkpoint(
                bytes: file(replacing: "fc1.bias", with: .init(shape: [5], values: .init(repeating: 0, count: 5))),
                architectures: Fixtures.architectures)
        }
        #expect(throws: CheckpointError("fc1.weight has shape [4, 783], expected [H, 784] with H from 1 to 65536")) {
            try Checkpoint(
                bytes: file(
                    replacing: "fc1.weight", with: .init(shape: [4, 783], values: .init(repeating: 0, count: 4 * 783))),
                architectures: Fixtures.architectures)
        }
        #expect(throws: CheckpointError("fc2.weight has shape [4, 784], expected [784, 4]")) {
            try Checkpoint(
                bytes: file(
                    replacing: "fc2.weight", with: .init(shape: [4, 784], values: .init(repeating: 0, count: 4 * 784))),
                architectures: Fixtures.architectures)
        }
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func rejectsNonFiniteWeights(value: Float) {
        var values = [Float](repeating: 0.5, count: 784)
        values[100] = value
        #expect(throws: CheckpointError("tensor 'fc2.bias' has NaN or infinite values")) {
            try Checkpoint(
                bytes: file(replacing: "fc2.bias", with: .init(shape: [784], values: values)),
                architectures: Fixtures.architectures)
        }
    }

    @Test func rejectsOtherArchitectures() {
        #expect(throws: CheckpointError("unexpected tensor 'fc3.weight' (not of the tutorial architecture)")) {
            try Checkpoint(
                bytes: file(replacing: "fc3.weight", with: .init(shape: [1], values: [0])),
                architectures: Fixtures.architectures)
        }
    }

    @Test func rejectsAnUnknownArchitecture() {
        var tensors: [String: SafeTensors.Tensor] = [:]
        tensors["conv.weight"] = .init(shape: [1], values: [0])
        let bytes = SafeTensors.serialize(tensors, metadata: ["architecture": "transformer"])
        #expect(
            throws: CheckpointError(
                "unknown architecture 'transformer' (known: tutorial, unet); a plugin may be missing")
        ) {
            try Checkpoint(bytes: bytes, architectures: Fixtures.architectures)
        }
    }

    @Test func rejectsTruncatedFile() throws {
        let bytes = Checkpoint(model: Fixtures.randomModel(hidden: 4)).serialized()
        #expect(throws: CheckpointError.self) {
            try Checkpoint(bytes: Array(bytes.dropLast(1)), architectures: Fixtures.architectures)
        }
    }
}
