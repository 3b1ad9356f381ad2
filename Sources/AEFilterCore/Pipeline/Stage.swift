//  The filter is a chain of typed stages:
//
//     EncodedImage ─▶ Decode ─▶ Bitmap ─▶ Preprocess ─▶ Sample ─▶ AddNoise
//        ─▶ NoisySample ─▶ Denoise ─▶ Denoised ─▶ Render ─▶ GrayImage ─▶ EncodePNG ─▶ [UInt8]
//
//  Stages compose with `then`, which only compiles when one stage's Output is
//  the next one's Input. The same chain serves one image or a batch.

/// One typed step of the pipeline.
public protocol Stage<Input, Output>: Sendable {
    /// What the stage takes.
    associatedtype Input
    /// What it gives.
    associatedtype Output

    /// Processes one input; throws when this input cannot be processed.
    func process(_ input: Input) throws -> Output

    /// Processes many inputs at once, one result per input, in order. Stages
    /// that gain from batching (the model) override it; a failure of one item
    /// never affects the others.
    func processBatch(_ inputs: [Input]) -> [Result<Output, any Error>]
}

// Inlinable so that a chain composed in another module is specialised there
// rather than run through generic metadata for every image.
extension Stage {
    @inlinable
    public func processBatch(_ inputs: [Input]) -> [Result<Output, any Error>] {
        inputs.map { input in Result { try process(input) } }
    }

    /// The batch results of this stage after an earlier one's: the inputs
    /// that succeeded go through ``processBatch(_:)`` together, failures pass
    /// on unchanged, in order.
    @inlinable
    public func processBatch(after earlier: [Result<Input, any Error>]) -> [Result<Output, any Error>] {
        var passed: [Input] = []
        for case .success(let value) in earlier { passed.append(value) }
        var outputs = processBatch(passed).makeIterator()
        return earlier.map { result in
            switch result {
            case .failure(let error): return .failure(error)
            case .success: return outputs.next()!
            }
        }
    }

    /// This stage followed by `next`.
    @inlinable
    public func then<Next: Stage>(_ next: Next) -> Chain<Self, Next> where Next.Input == Output {
        Chain(first: self, second: next)
    }
}

/// Two stages run one after the other.
public struct Chain<First: Stage, Second: Stage>: Stage where First.Output == Second.Input {
    public let first: First
    public let second: Second

    @inlinable
    public init(first: First, second: Second) {
        self.first = first
        self.second = second
    }

    @inlinable
    public func process(_ input: First.Input) throws -> Second.Output {
        try second.process(first.process(input))
    }

    @inlinable
    public func processBatch(_ inputs: [First.Input]) -> [Result<Second.Output, any Error>] {
        second.processBatch(after: first.processBatch(inputs))
    }
}
