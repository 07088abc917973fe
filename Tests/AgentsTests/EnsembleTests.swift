import Agents
import Foundation
import NN
import Random
import Tensor
import Testing

/// What scripts/make_ensemble_fixture.py computed with PyTorch in MBRL-Lib's GaussianMLP form.
private struct EnsembleFixture: Decodable {
    let members: Int, batch: Int, inputs: Int, outputs: Int, hidden_size: Int, hidden_layers: Int
    let parameters: [String: [Float]], gradients: [String: [Float]]
    let x: [Float], targets: [Float], mean: [Float], logvar: [Float], nll: Float, mse: [Float]
}

@Suite("The probabilistic ensemble (PETS' dynamics model)")
struct EnsembleTests {
    private func fixture() throws -> EnsembleFixture {
        let url = try #require(Bundle.module.url(forResource: "ensemble_nll", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(EnsembleFixture.self, from: Data(contentsOf: url))
    }

    private func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 2e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * Swift.max(1, abs($1)) }
    }

    /// Outputs, NLL and the gradient of every parameter (the soft bounds' too) equal PyTorch's.
    @Test func nllAndGradientsMatchPyTorch() throws {
        let f = try fixture()
        var generator = RandomGenerator(seed: 0)
        let ensemble = ProbabilisticEnsemble(members: f.members, inputSize: f.inputs, outputSize: f.outputs, hiddenLayers: f.hidden_layers,
                                             hiddenSize: f.hidden_size, learnsBounds: true, using: &generator)
        for (name, parameter) in ensemble.namedParameters {
            let values = try #require(f.parameters[name], "fixture has no \(name)")
            parameter.assign(Tensor(values, shape: parameter.shape))
        }
        let x = Tensor(f.x, shape: [f.members, f.batch, f.inputs]), y = Tensor(f.targets, shape: [f.members, f.batch, f.outputs])
        let (mean, logVariance) = ensemble(x)
        #expect(close(mean.scalars, f.mean) && close(logVariance.scalars, f.logvar))
        #expect(close(ensemble.meanSquaredErrors(x, targets: y), f.mse))
        let nll = ensemble.negativeLogLikelihood(x, targets: y)
        #expect(abs(nll.item - f.nll) < 1e-4 * Swift.max(1, abs(f.nll)), "\(nll.item) vs \(f.nll)")
        nll.backward()
        for (name, parameter) in ensemble.namedParameters {
            let expected = try #require(f.gradients[name])
            let grad = try #require(parameter.grad, "no gradient for \(name)").scalars
            #expect(close(grad, expected, 1e-4), "\(name)")
        }
    }

    /// The log-variance stays inside its soft bounds whatever the raw output.
    @Test func theLogVarianceStaysWithinItsBounds() {
        var generator = RandomGenerator(seed: 1)
        let ensemble = ProbabilisticEnsemble(members: 2, inputSize: 3, outputSize: 2, hiddenSize: 16, using: &generator)
        let huge = Tensor.normal([2, 64, 3], standardDeviation: 1e4, using: &generator)
        let (_, logVariance) = ensemble(huge)
        #expect(logVariance.scalars.allSatisfy { $0.isFinite && $0 >= -10 - 1e-3 && $0 <= 0.5 + 1e-3 })
    }
}
