import Testing
import Tensor

/// Central finite differences against the analytic gradient of L = Σ w ⊙ f(inputs), where w
/// are fixed random weights (so every output element matters). The loss is summed in
/// Double; the step is 1e-3 in Float32, so the check tolerates about 1 % relative error.
func checkGradients(_ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
                    _ f: ([Tensor]) -> Tensor) {
    let worst = gradientMismatch(inputs, f)
    #expect(worst.ratio <= 1, "\(worst.detail)", sourceLocation: sourceLocation)
}

/// The worst |analytic − numeric| / (atol + rtol·|numeric|) over all input elements (≤ 1 passes).
func gradientMismatch(_ inputs: [Tensor], epsilon: Float = 1e-3,
                      absoluteTolerance: Double = 2e-3, relativeTolerance: Double = 1e-2,
                      _ f: ([Tensor]) -> Tensor) -> (ratio: Double, detail: String) {
    var worst = (ratio: 0.0, detail: "")
    let leaves = inputs.map { $0.requiringGrad() }
    let output = f(leaves)
    var generator = RandomGenerator(seed: 99)
    let weights = Tensor.uniform(output.shape, low: -1, high: 1, using: &generator)
    output.backward(seed: weights)

    func loss(_ values: [Tensor]) -> Double {
        let y = withoutGrad { f(values) }
        return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    for (index, leaf) in leaves.enumerated() {
        let analytic = leaf.grad?.scalars ?? [Float](repeating: 0, count: leaf.count)
        for element in 0..<leaf.count {
            var values = inputs
            values[index].withUnsafeMutableBufferPointer { $0[element] += epsilon }
            let plus = loss(values)
            values[index].withUnsafeMutableBufferPointer { $0[element] -= 2 * epsilon }
            let minus = loss(values)
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let error = Swift.abs(Double(analytic[element]) - numeric)
            let ratio = error / (absoluteTolerance + relativeTolerance * Swift.abs(numeric))
            if ratio > worst.ratio {
                worst = (ratio, "input \(index) element \(element): analytic \(analytic[element]) vs numeric \(numeric)")
            }
        }
    }
    return worst
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
