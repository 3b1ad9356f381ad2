import AESystem

/// A trained denoiser of some architecture: 784 pixels in, 784 out.
///
/// Its parameters carry PyTorch's `state_dict` names, so a checkpoint holds
/// exactly what the reference `nn.Module` of the architecture holds. The
/// matrix work of ``forward(_:batch:output:backend:)`` runs on a ``Backend``,
/// so every backend, built in or loaded, serves every architecture.
public protocol DenoisingModel: Sendable {
    /// The name its architecture is registered under, e.g. `tutorial` or `unet`.
    var architecture: String { get }

    /// Its hyper-parameters, as they are kept in a checkpoint (`architecture.NAME`).
    var hyperparameters: [String: String] { get }

    /// Its parameters, in `state_dict` order.
    var parameters: [NamedTensor] { get }

    /// The parameters' names, in order, without making their tensors.
    var parameterNames: [String] { get }

    /// One line that describes it, e.g. the layers.
    var summary: String { get }

    /// Runs `batch` images of ``Geometry/pixels`` floats from `x` into
    /// `output`. Each image's result may depend on the others only through
    /// the backend (none do, with a backend whose rows are independent).
    func forward(_ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>, backend: any Backend)

    /// Called by the filter before it reads its first image, with the
    /// helper thread its forward passes may share (nil: none, as for every
    /// caller that does not call this): a model can start now what its first
    /// forward pass would otherwise wait for (the U-Net starts `helper` for
    /// its one-image passes). The default does nothing.
    func warmUp(helper: HelpingHand?)
}

extension DenoisingModel {
    /// The number of parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.values.count } }

    public var parameterNames: [String] { parameters.map(\.name) }

    /// Whether every parameter is finite.
    public var isFinite: Bool { parameters.allSatisfy { $0.values.allSatisfy(\.isFinite) } }

    public func warmUp(helper: HelpingHand?) {}

    /// Convenience: `batch` images held in one array of `batch * 784` floats.
    public func forward(_ x: [Float], batch: Int, backend: any Backend) -> [Float] {
        precondition(x.count == batch * Geometry.pixels)
        var output = [Float](repeating: 0, count: batch * Geometry.pixels)
        x.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { op in
                forward(xp.baseAddress!, batch: batch, output: op.baseAddress!, backend: backend)
            }
        }
        return output
    }
}

/// A named parameter tensor, row-major in PyTorch's layout.
public struct NamedTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count)
        self.name = name
        self.shape = shape
        self.values = values
    }
}
