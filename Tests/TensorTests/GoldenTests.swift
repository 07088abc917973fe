import Foundation
import Testing
import Tensor

// Composite functions against values PyTorch computed (scripts/make_torch_golden.py wrote
// Fixtures/torch_golden.json). Forward values and gradients must agree to 1e-5 + 1e-4·|v|.

struct GoldenFile: Decodable {
    struct Array: Decodable { let shape: [Int]; let data: [Float] }
    struct Case: Decodable {
        let inputs: [String: Array]
        let weights: [String: Array]
        let outputs: [String: Array]
        let grads: [String: Array]
        let targets: [Int]?
    }
    let cases: [String: Case]
}

func loadGolden() throws -> GoldenFile {
    let url = try #require(Bundle.module.url(forResource: "torch_golden", withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: url))
}

extension Tensor {
    init(_ golden: GoldenFile.Array) { self.init(golden.data, shape: golden.shape) }
}

func expectClose(_ actual: Tensor, _ expected: GoldenFile.Array, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(what) shape", sourceLocation: sourceLocation)
    let worst = zip(actual.scalars, expected.data).map { Swift.abs($0 - $1) - 1e-4 * Swift.abs($1) }.max() ?? 0
    #expect(worst <= 1e-5, "\(what) differs from PyTorch by \(worst)", sourceLocation: sourceLocation)
}

/// Runs `f` on the case's inputs, compares outputs, back-propagates Σ w⊙y and compares gradients.
func checkGolden(_ name: String, _ f: ([String: Tensor], GoldenFile.Case) -> [String: Tensor]) throws {
    let golden = try #require(try loadGolden().cases[name])
    let inputs = golden.inputs.mapValues { Tensor($0).requiringGrad() }
    let outputs = f(inputs, golden)
    var loss = Tensor(0)
    for (key, expected) in golden.outputs {
        let output = try #require(outputs[key])
        expectClose(output, expected, "\(name).\(key)")
        loss = loss + (output * Tensor(golden.weights[key]!)).sum()
    }
    loss.backward()
    for (key, expected) in golden.grads {
        expectClose(try #require(inputs[key]?.grad), expected, "\(name) ∂/∂\(key)")
    }
}

@Suite("Golden values from PyTorch")
struct GoldenTests {
    @Test func mlpCrossEntropy() throws {
        try checkGolden("mlp_cross_entropy") { t, golden in
            let hidden = Tensor.linear(t["x"]!, weight: t["w1"]!, bias: t["b1"]!).tanh()
            let logits = Tensor.linear(hidden, weight: t["w2"]!, bias: t["b2"]!)
            let loss = -logits.logSoftmax().gather(alongLastAxis: golden.targets!).mean()
            return ["loss": loss]
        }
    }

    @Test func layerNormGelu() throws {
        try checkGolden("layernorm_gelu") { t, _ in
            let x = t["x"]!
            let centred = x - x.mean(alongAxis: -1, keepingDimensions: true)
            let variance = x.variance(alongAxis: -1, keepingDimensions: true, unbiased: false)
            let normalised = centred / (variance + 1e-5).sqrt()
            return ["y": (normalised * t["w"]! + t["b"]!).gelu()]
        }
    }

    @Test func causalAttention() throws {
        try checkGolden("causal_attention") { t, _ in
            let scores = Tensor.matmul(t["q"]!, t["k"]!, transposeB: true) / 2
            let future = Tensor.ones([5, 5]) - Tensor((0..<25).map { Float($0 % 5 <= $0 / 5 ? 1 : 0) }, shape: [5, 5])
            let weights = scores.maskedFill(future, with: -.infinity).softmax()
            return ["out": Tensor.matmul(weights, t["v"]!)]
        }
    }

    @Test func reductionsMix() throws {
        try checkGolden("reductions_mix") { t, _ in
            let x = t["x"]!
            let y = x.logSumExp(alongAxis: 1) + x.variance(alongAxis: 1) + x.silu().mean(alongAxis: 1)
                + x.sigmoid().max(alongAxis: 1) + x.logSoftmax(alongAxis: 0).sum(alongAxis: 1)
            return ["y": y]
        }
    }
}
