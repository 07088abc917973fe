// Any bytes given to `SafeTensors.decode` give a value or a thrown error, never a trap. A value
// is read whole (every scalar of every tensor) and must survive `encoded()` → `decode` unchanged.
import Foundation
import NN
import Tensor

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    let verbose = getenv("ATHANOR_FUZZ_VERBOSE") != nil
    let file: SafeTensors
    do { file = try SafeTensors.decode(bytes) } catch {
        if verbose { print("error: \(error)") }
        return 0
    }
    var elements = 0
    var bits: UInt32 = 0
    for (_, tensor) in file.tensors {
        let scalars = tensor.scalars
        precondition(scalars.count == tensor.count && tensor.count == tensor.shape.reduce(1, *), "element count does not match the shape")
        elements += scalars.count
        for x in scalars { bits ^= x.bitPattern }
    }
    let again = try! SafeTensors.decode(file.encoded())
    precondition(again.metadata == file.metadata, "metadata changed in an encode/decode round trip")
    precondition(again.tensors.count == file.tensors.count, "tensor count changed in an encode/decode round trip")
    let byName = Dictionary(again.tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
    for (name, tensor) in file.tensors {
        guard let other = byName[name] else { preconditionFailure("tensor '\(name)' lost in an encode/decode round trip") }
        precondition(other.shape == tensor.shape && other.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern),
                     "tensor '\(name)' changed in an encode/decode round trip")
    }
    if verbose { print("ok: \(file.tensors.count) tensors, \(elements) elements, \(file.metadata.count) metadata entries, xor \(bits)") }
    return 0
}
