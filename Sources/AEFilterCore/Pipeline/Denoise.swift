/// NoisySample → Denoised: runs the autoencoder, a batch at a time.
public struct Denoise: Stage {
    public var model: any DenoisingModel
    public var backend: any Backend
    /// The most images in one forward pass.
    public var maxBatch: Int

    /// Runs `model` on `backend`, at most `maxBatch` images per forward pass.
    public init(model: any DenoisingModel, backend: any Backend, maxBatch: Int = 128) {
        self.model = model
        self.backend = backend
        self.maxBatch = max(1, maxBatch)
    }

    /// One image through the model.
    public func process(_ input: NoisySample) throws -> Denoised {
        try processBatch([input])[0].get()
    }

    /// Many images, `maxBatch` per forward pass. An image whose output is not
    /// finite (finite weights can still overflow on some input) fails.
    public func processBatch(_ inputs: [NoisySample]) -> [Result<Denoised, any Error>] {
        run(inputs).map { item in
            guard item.output.allSatisfy(\.isFinite) else {
                return .failure(ModelError(backend.nonFiniteOutput))
            }
            return .success(item)
        }
    }

    func run(_ inputs: [NoisySample]) -> [Denoised] {
        let d = Geometry.pixels
        var results: [Denoised] = []
        results.reserveCapacity(inputs.count)
        var start = 0
        while start < inputs.count {
            let chunk = inputs[start..<min(start + maxBatch, inputs.count)]
            let x = chunk.flatMap(\.noisy)
            let y = model.forward(x, batch: chunk.count, backend: backend)
            for (offset, item) in chunk.enumerated() {
                results.append(
                    Denoised(
                        stream: item.stream, clean: item.clean, noisy: item.noisy,
                        output: Array(y[offset * d..<(offset + 1) * d])))
            }
            start += chunk.count
        }
        return results
    }
}

/// The model could not give a usable result.
public struct ModelError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
