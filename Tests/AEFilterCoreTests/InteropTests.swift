import AEFilterCore
import AESystem
import Foundation
import TestSupport
import Testing

/// Checkpoints written here read back with the reference safetensors
/// implementation (the Rust parser PyTorch users load them with).
@Suite struct InteropTests {
    static let script = """
        import sys, json, numpy as np
        from safetensors import safe_open
        from safetensors.numpy import load_file
        path = sys.argv[1]
        with safe_open(path, framework="numpy") as f:
            meta = f.metadata()
        t = load_file(path)
        print(json.dumps({"metadata": meta, "tensors": {k: [list(v.shape), str(v.dtype), float(np.float64(v.astype(np.float64)).sum())] for k, v in t.items()}}))
        """

    @Test(arguments: [SafeTensors.DType.f32, .f16])
    func safetensorsReadsOurCheckpoints(dtype: SafeTensors.DType) throws {
        let model = Fixtures.randomModel(hidden: 24)
        let checkpoint = Checkpoint(model: model, metadata: ["noise_model": "dropout", "note": "naïve \"quoted\""])
        let path = try CLI.temporaryDirectory() + "/model.safetensors"
        try AtomicFile.write(checkpoint.serialized(dtype: dtype), to: path)

        let result = try CLI.run(executable: "/usr/bin/env", ["python3", "-c", Self.script, path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let metadata = try #require(json["metadata"] as? [String: String])
        #expect(metadata["noise_model"] == "dropout")
        #expect(metadata["note"] == "naïve \"quoted\"")
        #expect(metadata["architecture"] == "tutorial")
        let tensors = try #require(json["tensors"] as? [String: [Any]])
        #expect(Set(tensors.keys) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        let w1 = try #require(tensors["fc1.weight"])
        #expect(w1[0] as? [Int] == [24, 784])
        #expect(w1[1] as? String == (dtype == .f32 ? "float32" : "float16"))
        let expected = model.fc1Weight.reduce(0.0) { $0 + Double($1) }
        #expect(abs((w1[2] as? Double ?? .nan) - expected) < (dtype == .f32 ? 1e-4 : 1e-2))
    }
}
