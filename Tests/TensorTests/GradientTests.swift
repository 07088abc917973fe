import Testing
import Tensor

// A finite-difference check for every differentiable op, including broadcasting and
// reductions over each axis.

@Suite("Gradients by finite differences")
struct GradientTests {
    @Test func checkerRejectsAWrongBackward() {
        // x² with the backward of x³: the check must notice.
        let x = randomTensor([5], seed: 0, low: 0.5, high: 1.5)
        let result = checkGradient([x]) { inputs in
            let v = inputs[0]
            return v.detached().square().recordingGradient(of: v) { g in g * 3 * v.detached().square() }
        }
        #expect(!result.passed && result.worstRatio > 10)
    }

    @Test func arithmeticSameShape() {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([3, 4], seed: 2, low: 0.5, high: 2)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a, b]) { $0[0] / $0[1] }
        checkGradients([a]) { -$0[0] }
    }

    @Test(arguments: [([3, 4], [4]), ([3, 1], [1, 4]), ([2, 3, 4], [3, 1]), ([2, 1, 4], [2, 3, 1]), ([3, 4], [])])
    func arithmeticBroadcasting(shapes: ([Int], [Int])) {
        let a = randomTensor(shapes.0, seed: 3), b = randomTensor(shapes.1, seed: 4, low: 0.5, high: 2)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a, b]) { $0[0] / $0[1] }
        checkGradients([b, a]) { $0[0] / $0[1].abs().clamped(min: 0.5) }
    }

    @Test func scalarOperands() {
        let a = randomTensor([2, 3], seed: 5, low: 0.5, high: 2)
        checkGradients([a]) { 2 * $0[0] + 1 }
        checkGradients([a]) { 3 / $0[0] - 1.5 }
        checkGradients([a]) { $0[0].pow(2.5) }
        checkGradients([a]) { $0[0].pow(-1.5) }
    }

    @Test func elementwiseFunctions() {
        let x = randomTensor([3, 5], seed: 6, low: -2, high: 2, awayFromZero: 0.05)
        let positive = randomTensor([3, 5], seed: 7, low: 0.2, high: 3)
        checkGradients([x]) { $0[0].exp() }
        checkGradients([positive]) { $0[0].log() }
        checkGradients([positive]) { $0[0].sqrt() }
        checkGradients([x]) { $0[0].abs() }
        checkGradients([x]) { $0[0].tanh() }
        checkGradients([x]) { $0[0].sigmoid() }
        checkGradients([x]) { $0[0].relu() }
        checkGradients([x]) { $0[0].gelu() }
        checkGradients([x]) { $0[0].geluTanh() }
        checkGradients([x]) { $0[0].silu() }
        checkGradients([x]) { $0[0].square() }
    }

    @Test func fusedLayerNorm() {
        let x = randomTensor([3, 2, 7], seed: 31, low: -2, high: 2)
        let weight = randomTensor([7], seed: 32, low: 0.5, high: 1.5), bias = randomTensor([7], seed: 33)
        checkGradients([x, weight, bias]) { Tensor.layerNorm($0[0], weight: $0[1], bias: $0[2], epsilon: 1e-5) }
    }

    @Test func fusedCausalSelfAttention() {
        let qkv = randomTensor([2, 5, 3 * 8], seed: 34, low: -1.5, high: 1.5)
        checkGradients([qkv]) { Tensor.causalSelfAttention($0[0], heads: 2) }
    }

    @Test func clampPassesGradientInsideOnly() {
        // Keep inputs away from the bounds ±0.5 so finite differences do not straddle them.
        var x = randomTensor([4, 4], seed: 8, low: -1, high: 1)
        x.withUnsafeMutableBufferPointer { b in for i in b.indices where Swift.abs(Swift.abs(b[i]) - 0.5) < 0.05 { b[i] *= 1.3 } }
        checkGradients([x]) { $0[0].clamped(min: -0.5, max: 0.5) }
    }

    @Test(arguments: [0, 1, 2, -1])
    func reductionsOverEachAxis(axis: Int) {
        let x = randomTensor([2, 3, 4], seed: 9)
        checkGradients([x]) { $0[0].sum(alongAxis: axis) }
        checkGradients([x]) { $0[0].sum(alongAxis: axis, keepingDimensions: true) }
        checkGradients([x]) { $0[0].mean(alongAxis: axis) }
        checkGradients([x]) { $0[0].max(alongAxis: axis) }
        checkGradients([x]) { $0[0].min(alongAxis: axis, keepingDimensions: true) }
        checkGradients([x]) { $0[0].logSumExp(alongAxis: axis) }
        checkGradients([x]) { $0[0].variance(alongAxis: axis) }
        checkGradients([x]) { $0[0].variance(alongAxis: axis, unbiased: false) }
        checkGradients([x]) { $0[0].softmax(alongAxis: axis) }
        checkGradients([x]) { $0[0].logSoftmax(alongAxis: axis) }
    }

    @Test func fullReductions() {
        let x = randomTensor([3, 4], seed: 10)
        checkGradients([x]) { $0[0].sum() }
        checkGradients([x]) { $0[0].mean() }
        checkGradients([x]) { $0[0].max() }
        checkGradients([x]) { $0[0].min() }
        checkGradients([x]) { $0[0].reshaped(to: [1, 3, 4]).expanded(to: [2, 3, 4]) }
    }

    @Test func shapeOps() {
        let x = randomTensor([2, 3, 4], seed: 11)
        checkGradients([x]) { $0[0].reshaped(to: [4, -1]) }
        checkGradients([x]) { $0[0].permuted([2, 0, 1]) }
        checkGradients([x]) { $0[0].transposed() }
        checkGradients([x]) { $0[0].unsqueezed(at: 1).squeezed(at: 1) }
        checkGradients([x]) { $0[0].slice(alongAxis: 1, 1..<3) }
        checkGradients([x]) { $0[0].slice(alongAxis: -1, 0..<1) }
        let y = randomTensor([2, 2, 4], seed: 12)
        checkGradients([x, y]) { Tensor.concatenate([$0[0], $0[1]], alongAxis: 1) }
        checkGradients([x, x]) { Tensor.stack([$0[0], $0[1]], alongAxis: 2) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulWithTransposeFlags(flags: (Bool, Bool)) {
        let a = randomTensor(flags.0 ? [4, 3] : [3, 4], seed: 13)
        let b = randomTensor(flags.1 ? [5, 4] : [4, 5], seed: 14)
        checkGradients([a, b]) { Tensor.matmul($0[0], $0[1], transposeA: flags.0, transposeB: flags.1) }
        let ba = randomTensor(flags.0 ? [2, 4, 3] : [2, 3, 4], seed: 15)
        let bb = randomTensor(flags.1 ? [2, 5, 4] : [2, 4, 5], seed: 16)
        checkGradients([ba, bb]) { Tensor.matmul($0[0], $0[1], transposeA: flags.0, transposeB: flags.1) }
    }

    @Test func matmulBatchedByMatrix() {
        let a = randomTensor([2, 3, 4], seed: 17)
        checkGradients([a, randomTensor([4, 5], seed: 18)]) { Tensor.matmul($0[0], $0[1]) }
        checkGradients([a, randomTensor([5, 4], seed: 19)]) { Tensor.matmul($0[0], $0[1], transposeB: true) }
    }

    @Test func linear() {
        let x = randomTensor([2, 3, 4], seed: 20), w = randomTensor([5, 4], seed: 21), b = randomTensor([5], seed: 22)
        checkGradients([x, w, b]) { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        let wide = randomTensor([12, 4], seed: 25), wideBias = randomTensor([12], seed: 26)  // the Swift kernel's path
        checkGradients([x, wide, wideBias]) { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([x, w]) { Tensor.linear($0[0], weight: $0[1], bias: nil) }
        for activation in [Tensor.FusedActivation.tanh, .relu] {
            checkGradients([x, wide, wideBias]) { Tensor.linear($0[0], weight: $0[1], bias: $0[2], activation: activation) }
        }
    }

    @Test func batchedLinearIsTheMembersLinearLayers() {
        // Gradients by finite differences, for every activation and without a bias.
        let x = randomTensor([3, 4, 5], seed: 30), w = randomTensor([3, 5, 9], seed: 31), b = randomTensor([3, 1, 9], seed: 32)
        for activation in [Tensor.FusedActivation.identity, .tanh, .relu, .leakyReLU] {
            checkGradients([x, w, b]) { Tensor.batchedLinear($0[0], weight: $0[1], bias: $0[2], activation: activation) }
        }
        checkGradients([x, w]) { Tensor.batchedLinear($0[0], weight: $0[1], bias: nil) }
        // The paper form, matmul + bias then LeakyReLU (x − 0.99·min(x, 0)), on products large enough for OpenBLAS in two halves.
        let big = randomTensor([2, 600, 64], seed: 33), bigW = randomTensor([2, 64, 48], seed: 34), bigB = randomTensor([2, 1, 48], seed: 35)
        let z = Tensor.matmul(big, bigW) + bigB
        let paper = z.relu() - Tensor.leakyReLUSlope * (-z).relu()
        let fused = Tensor.batchedLinear(big, weight: bigW, bias: bigB, activation: .leakyReLU)
        let worst = zip(paper.scalars, fused.scalars).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(fused.shape == [2, 600, 48] && worst < 1e-5, "fused and paper forms differ by \(worst)")
        #expect(fused.scalars.contains { $0 < 0 } && fused.scalars.contains { $0 > 0 })

        // batchedInference: the same layers chained, without a graph, half the rows on a helper thread — the same numbers with or without it.
        let layers = [Tensor.BatchedLayer(weight: bigW, bias: bigB, activation: .leakyReLU),
                      Tensor.BatchedLayer(weight: randomTensor([2, 48, 7], seed: 36), bias: randomTensor([2, 1, 7], seed: 37), activation: .identity)]
        let chained = withoutGrad { layers.reduce(big) { Tensor.batchedLinear($0, weight: $1.weight, bias: $1.bias, activation: $1.activation) } }
        let alone = withoutGrad { Tensor.batchedInference(big, layers: layers) }
        let helped = withHelperThread(HelperThread()) { withoutGrad { Tensor.batchedInference(big, layers: layers) } }
        let gap = zip(chained.scalars, alone.scalars).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(alone.shape == [2, 600, 7] && gap < 1e-5, "batchedInference differs from chained layers by \(gap)")
        #expect(alone.scalars == helped.scalars)
    }

    @Test func pickedLogSoftmaxEqualsLogSoftmaxThenGather() {
        let x = randomTensor([5, 4], seed: 26) * 4
        let fused = x.logSoftmax(picking: [3, 0, 2, 2, 1]).scalars
        let composed = x.logSoftmax().gather(alongLastAxis: [3, 0, 2, 2, 1]).scalars
        #expect(zip(fused, composed).allSatisfy { Swift.abs($0 - $1) < 1e-6 }, "\(fused) vs \(composed)")
    }

    @Test func indexing() {
        let x = randomTensor([4, 3], seed: 23)
        checkGradients([x]) { $0[0].gather(alongLastAxis: [2, 0, 1, 2]) }
        checkGradients([x]) { $0[0].logSoftmax(picking: [2, 0, 1, 2]) }
        checkGradients([x]) { $0[0].indexSelect([3, 0, 3, 1]) }
        let mask = Tensor([1, 0, 1], shape: [1, 3])
        let y = randomTensor([4, 1], seed: 24)
        checkGradients([x, y]) { Tensor.select(where: mask, $0[0], $0[1]) }
        checkGradients([x]) { $0[0].maskedFill(mask, with: -5) }
        // Random operands are never tied, so the finite difference sees one branch.
        let z = randomTensor([4, 3], seed: 25)
        checkGradients([x, z]) { Tensor.minimum($0[0], $0[1]) }
        checkGradients([x, y]) { Tensor.maximum($0[0], $0[1]) }
    }
}
