import AEFilter
import AEFilterCore
import CFuzzer
import Glibc

let architectures = PluginSet.standard.architectures

/// Any bytes as a checkpoint: a clear error or a model whose tensors agree
/// with their shapes; a parsed checkpoint serializes and parses back to the
/// same parameters.
func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let checkpoint = try? Checkpoint(bytes: bytes, architectures: architectures) else { return 0 }
    let parameters = checkpoint.model.parameters
    for tensor in parameters {
        let elements = tensor.shape.reduce(1, *)
        precondition(elements == tensor.values.count, "tensor \(tensor.name) disagrees with its shape")
    }
    precondition(checkpoint.model.parameterNames == parameters.map(\.name))
    let again = try! Checkpoint(bytes: checkpoint.serialized(), architectures: architectures).model
    precondition(again.architecture == checkpoint.model.architecture, "serialize/parse changed the architecture")
    precondition(again.parameters == parameters, "serialize/parse changed the parameters")
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzz($0, $1) })
