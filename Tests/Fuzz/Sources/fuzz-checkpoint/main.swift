import AEFilterCore
import CFuzzer
import Glibc

/// Any bytes as a checkpoint: a clear error or a model whose shapes agree;
/// a parsed checkpoint serializes and parses back to the same model.
func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let checkpoint = try? Checkpoint(bytes: bytes, architectures: Fixtures.architectures) else { return 0 }
    let model = checkpoint.model
    precondition(model.fc1Weight.count == model.hiddenSize * model.inputSize)
    precondition(model.fc2Weight.count == model.inputSize * model.hiddenSize)
    precondition(model.parameterCount == 2 * model.inputSize * model.hiddenSize + model.hiddenSize + model.inputSize)
    let again = try! Checkpoint(bytes: checkpoint.serialized(), architectures: Fixtures.architectures).model
    precondition(
        again.fc1Weight == model.fc1Weight && again.fc2Bias == model.fc2Bias, "serialize/parse changed the model")
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzz($0, $1) })
