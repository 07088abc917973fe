// Checks an analytic gradient against central finite differences, as PyTorch's
// `torch.autograd.gradcheck` does: for anyone writing an op with a hand-made backward.

public struct GradientCheckResult {
    /// The worst |analytic − numeric| / (atol + rtol·|numeric|) over all input elements;
    /// at most 1 means every element is within tolerance.
    public let worstRatio: Double
    /// Where the worst element is, with both values.
    public let detail: String
    public var passed: Bool { worstRatio <= 1 }
}

/// Differentiates L = Σ w ⊙ f(inputs) for fixed random weights w (so every output element
/// matters), analytically by `backward()` and numerically by central differences of step
/// `epsilon` with the loss summed in Double. The Float32 step of 1e-3 makes about 1 %
/// relative error the natural tolerance.
public func checkGradient(_ inputs: [Tensor], epsilon: Float = 1e-3,
                          absoluteTolerance: Double = 2e-3, relativeTolerance: Double = 1e-2,
                          seed: UInt64 = 99, _ f: ([Tensor]) -> Tensor) -> GradientCheckResult {
    let leaves = inputs.map { $0.detached().requiringGrad() }
    let output = f(leaves)
    var generator = RandomGenerator(seed: seed)
    let weights = Tensor.uniform(output.shape, low: -1, high: 1, using: &generator)
    output.backward(seed: weights)

    func loss(_ values: [Tensor]) -> Double {
        let y = withoutGrad { f(values) }
        return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    var worst = (ratio: 0.0, detail: "all gradients match")
    for (index, leaf) in leaves.enumerated() {
        let analytic = leaf.grad?.scalars ?? [Float](repeating: 0, count: leaf.count)
        for element in 0..<leaf.count {
            var values = inputs.map { $0.detached() }
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
    return GradientCheckResult(worstRatio: worst.ratio, detail: worst.detail)
}
