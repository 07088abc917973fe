import Foundation
import Testing
import NN

struct NormFixture: Decodable {
    struct Case: Decodable { let y: [Float]; let dx: [Float]; let dw: [Float]; let db: [Float]? }
    let x: [Float], w: [Float], b: [Float], weights: [Float]
    let cases: [String: Case]
}

@Suite("Layers and initialisers")
struct LayerTests {
    @Test func normalisationLayersMatchPyTorch() throws {
        let fixture = try loadJSON(NormFixture.self, "torch_norms.json")
        let layerNorm = LayerNorm(6), rmsNorm = RMSNorm(6, epsilon: 1e-6)
        layerNorm.weight.assign(Tensor(fixture.w)); layerNorm.bias.assign(Tensor(fixture.b))
        rmsNorm.weight.assign(Tensor(fixture.w))
        for (name, layer, bias) in [("layernorm", layerNorm as any Layer, Optional(layerNorm.bias)), ("rmsnorm", rmsNorm, nil)] {
            let expected = try #require(fixture.cases[name])
            let x = Tensor(fixture.x, shape: [2, 3, 6]).requiringGrad()
            let y = layer(x)
            expectClose(y.scalars, expected.y, tolerance: 1e-5, "\(name) output")
            (y * Tensor(fixture.weights, shape: [2, 3, 6])).sum().backward()
            expectClose(try #require(x.grad).scalars, expected.dx, tolerance: 1e-4, "\(name) ∂x")
            expectClose(try #require(layer.parameters[0].grad).scalars, expected.dw, tolerance: 1e-4, "\(name) ∂w")
            if let bias, let db = expected.db { expectClose(try #require(bias.grad).scalars, db, tolerance: 1e-4, "\(name) ∂b") }
        }
    }

    /// The fused layer norm equals its paper form (mean, centre, variance, normalise, scale, shift), values and gradients.
    @Test func fusedLayerNormEqualsThePaperForm() {
        var g = RandomGenerator(seed: 4)
        let norm = LayerNorm(32)
        norm.weight.assign(.uniform([32], low: 0.5, high: 1.5, using: &g))
        norm.bias.assign(.uniform([32], low: -1, high: 1, using: &g))
        let input = Tensor.normal([4, 5, 32], mean: 0.3, standardDeviation: 2, using: &g), upstream = Tensor.normal([4, 5, 32], using: &g)
        var results: [[Float]] = []
        for fused in [true, false] {
            let x = input.requiringGrad()
            norm.zeroGrad()
            let y = fused ? norm(x) : norm.paperForm(x)
            (y * upstream).sum().backward()
            results.append(y.scalars + x.grad!.scalars + norm.weight.grad!.scalars + norm.bias.grad!.scalars)
        }
        expectClose(results[0], results[1], tolerance: 2e-5, "fused against paper form")
    }

    /// The fused causal attention equals its paper form (split heads, scores, mask, softmax, values, merge), values and gradients.
    @Test func fusedAttentionEqualsThePaperForm() {
        var g = RandomGenerator(seed: 5)
        let attention = CausalSelfAttention(embedding: 32, heads: 4, using: &g)
        let input = Tensor.normal([3, 9, 32], using: &g), upstream = Tensor.normal([3, 9, 32], using: &g)
        var results: [[Float]] = []
        for fused in [true, false] {
            let x = input.requiringGrad()
            attention.zeroGrad()
            let y = fused ? attention(x) : attention.paperForm(x)
            (y * upstream).sum().backward()
            results.append(y.scalars + x.grad!.scalars + attention.parameters.flatMap { $0.grad!.scalars })
        }
        expectClose(results[0], results[1], tolerance: 2e-5, "fused against paper form")
    }

    @Test func aFrozenModuleGivesItsInputsTheirGradientAndItsParametersNone() {
        var generator = RandomGenerator(seed: 3)
        let critic = Sequential.mlp([4, 8, 1], activation: .relu, using: &generator)
        let x = Tensor.uniform([5, 4], low: -1, high: 1, using: &generator).requiringGrad()
        critic(x).sum().backward()
        let inputGradient = x.grad?.scalars, parameterGradients = critic.parameters.map { $0.grad?.scalars }
        #expect(parameterGradients.allSatisfy { $0 != nil })
        critic.zeroGrad(); x.zeroGrad()
        critic.withFrozenParameters { critic(x) }.sum().backward()
        #expect(x.grad?.scalars == inputGradient)
        #expect(critic.parameters.allSatisfy { $0.grad == nil })
        // Thawed again afterwards: gradients reach the parameters as before.
        critic(x).sum().backward()
        #expect(critic.parameters.map { $0.grad?.scalars } == parameterGradients)
    }

    @Test func parameterNamesFollowPyTorchConventions() {
        var g = RandomGenerator(seed: 0)
        let mlp = Sequential.mlp([4, 64, 64, 2], activation: .tanh, using: &g)
        #expect(mlp.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
        #expect(mlp.parameterCount == 4 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2)
        let attention = CausalSelfAttention(embedding: 8, heads: 2, using: &g)
        #expect(attention.namedParameters.map(\.name) == ["c_attn.weight", "c_attn.bias", "c_proj.weight", "c_proj.bias"])
    }

    @Test func attentionIsCausal() {
        // Changing a later token must not change earlier outputs.
        var g = RandomGenerator(seed: 1)
        let attention = CausalSelfAttention(embedding: 8, heads: 2, using: &g)
        let x = Tensor.normal([1, 5, 8], using: &g)
        var changed = x
        changed.withUnsafeMutableBufferPointer { for i in (4 * 8)..<(5 * 8) { $0[i] += 3 } }
        let (a, b) = (attention(x).scalars, attention(changed).scalars)
        #expect(Array(a[..<(4 * 8)]) == Array(b[..<(4 * 8)]))
        #expect(Array(a[(4 * 8)...]) != Array(b[(4 * 8)...]))
    }

    @Test func dropoutScalesInTrainingAndIsIdentityInEvaluation() {
        let dropout = Dropout(probability: 0.25, seed: 3)
        let x = Tensor.ones([10_000])
        let y = dropout(x)
        let kept = y.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.75) < 1e-6 })
        #expect(Swift.abs(Float(kept.count) / 10_000 - 0.75) < 0.02)
        dropout.setTraining(false)
        #expect(dropout(x).scalars == x.scalars)
    }

    @Test func initialisersHaveTheirDefiningProperties() {
        var g = RandomGenerator(seed: 2)
        for shape in [[64, 16], [16, 64], [32, 32]] {
            let w = Initializer.orthogonal(shape, gain: 2, using: &g)
            // The smaller Gram matrix is gain²·I.
            let gram = shape[0] >= shape[1] ? Tensor.matmul(w, w, transposeA: true) : Tensor.matmul(w, w, transposeB: true)
            let n = gram.shape[0]
            let identity = Tensor((0..<(n * n)).map { $0 / n == $0 % n ? 4 : 0 }, shape: [n, n])
            #expect((gram - identity).abs().max().item < 1e-4, "orthogonal \(shape)")
        }
        let xavier = Initializer.xavierUniform([200, 300], using: &g)
        let bound = (6.0 / 500.0).squareRoot()
        #expect(Double(xavier.abs().max().item) <= bound)
        #expect(Swift.abs(Double(xavier.variance(alongAxis: 0).mean().item) - bound * bound / 3) < 2e-4)
        let kaiming = Initializer.kaimingNormal([400, 250], using: &g)
        #expect(Swift.abs(kaiming.flattened().variance(alongAxis: 0).item - 2.0 / 250) < 3e-4)
    }

    @Test func lossGradientsMatchFiniteDifferences() {
        var g = RandomGenerator(seed: 4)
        let prediction = Tensor.normal([5, 3], using: &g), target = Tensor.normal([5, 3], using: &g)
        for (name, loss) in [("mse", { (p: Tensor, t: Tensor) in Loss.meanSquaredError(p, t) }),
                             ("huber", { Loss.huber($0, $1, delta: 0.7) })] {
            let result = checkGradient([prediction, target]) { loss($0[0], $0[1]) }
            #expect(result.passed, "\(name): \(result.detail)")
        }
        let ce = checkGradient([prediction]) { Loss.crossEntropy(logits: $0[0], targets: [0, 2, 1, 1, 0], mask: Tensor([1, 0, 1, 1, 1])) }
        #expect(ce.passed, "\(ce.detail)")
    }

    @Test func fusedMSEHasThePaperFormsGradient() {
        var g = RandomGenerator(seed: 8)
        let prediction = Tensor.normal([7, 3], using: &g).requiringGrad(), target = Tensor.normal([7, 3], using: &g)
        Loss.meanSquaredError(prediction, target).backward()
        let fused = prediction.grad?.scalars ?? []
        prediction.zeroGrad()
        (prediction - target).square().mean().backward()
        let paper = prediction.grad?.scalars ?? []
        #expect(fused.count == 21 && zip(fused, paper).allSatisfy { Swift.abs($0 - $1) <= 1e-6 })
    }

    @Test func lossesMatchTheirDefinitions() {
        let prediction = Tensor([0.5, 2, -3]), target = Tensor([0, 0, 0])
        #expect(Swift.abs(Loss.meanSquaredError(prediction, target).item - (0.25 + 4 + 9) / 3) < 1e-6)
        // Huber, δ = 1: ½·0.25, 2 − ½, 3 − ½
        #expect(Swift.abs(Loss.huber(prediction, target).item - (0.125 + 1.5 + 2.5) / 3) < 1e-6)
        let logits = Tensor(rows: [[2, 0, 0], [0, 0, 0]])
        let ce = Loss.crossEntropy(logits: logits, targets: [0, 1]).item
        let expected = (-log(exp(2) / (exp(2) + 2)) + log(3.0)) / 2
        #expect(Swift.abs(Double(ce) - expected) < 1e-6)
        let masked = Loss.crossEntropy(logits: logits, targets: [0, 1], mask: Tensor([0, 1])).item
        #expect(Swift.abs(Double(masked) - log(3.0)) < 1e-6)
    }
}
