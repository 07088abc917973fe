import Testing
import Tensor

/// Expects the library's finite-difference check to pass for `f`.
func checkGradients(_ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
                    _ f: ([Tensor]) -> Tensor) {
    let result = checkGradient(inputs, f)
    #expect(result.passed, "\(result.detail)", sourceLocation: sourceLocation)
}

/// Random test input; `awayFromZero` keeps |x| ≥ margin so kinks (relu, abs) are not straddled.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1,
                  awayFromZero margin: Float = 0) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    var t = Tensor.uniform(shape, low: low, high: high, using: &generator)
    if margin > 0 {
        t.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices where Swift.abs(buffer[i]) < margin {
                buffer[i] = buffer[i] < 0 ? -margin - buffer[i] : margin + buffer[i]
            }
        }
    }
    return t
}
