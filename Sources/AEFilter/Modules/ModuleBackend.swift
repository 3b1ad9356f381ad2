import AEFilterCore
import CAEPluginHost

/// A backend registered by a plugin module: one instance, made with a thread count.
final class ModuleBackend: Backend, @unchecked Sendable {
    let descriptor: ModuleDescriptor<ae_filter_backend>
    let name: String
    let threads: Int
    let rowsAreIndependent: Bool
    let origin: PluginOrigin
    /// The module's instance; its gemm may be called from several threads at once.
    private let instance: UnsafeMutableRawPointer

    init(
        _ descriptor: ModuleDescriptor<ae_filter_backend>, name: String, threads: Int, origin: PluginOrigin
    ) throws(ModuleError) {
        var message = [CChar](repeating: 0, count: 256)
        guard let instance = CAEPluginHost_create(descriptor.pointer, Int32(threads), &message, message.count) else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ModuleError("backend \(name) cannot be made: \(reason.isEmpty ? "no reason given" : reason)")
        }
        self.descriptor = descriptor
        self.name = name
        self.threads = threads
        self.origin = origin
        self.rowsAreIndependent = descriptor.pointer.pointee.rows_are_independent != 0
        self.instance = instance
    }

    deinit { CAEPluginHost_destroy(descriptor.pointer, instance) }

    func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        CAEPluginHost_gemm(
            descriptor.pointer, instance, transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}

/// Why a module or one of its plugins cannot be used.
public struct ModuleError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
