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
        // The planner's path (no graph, rows split across two cores) predicts the same.
        let planned = withHelperThread(HelperThread()) { ensemble.inference(x) }
        #expect(close(planned.mean.scalars, f.mean) && close(planned.logVariance.scalars, f.logvar))
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

@Suite("The dynamics model: fitted by NLL, predicting the next observation")
struct DynamicsModelTests {
    /// s' = A·s + B·a for a fixed, stable A and B.
    private func linearSystem(_ s: [Float], _ a: [Float]) -> [Float] {
        [0.9 * s[0] + 0.2 * s[1] + 0.5 * a[0], -0.1 * s[0] + 0.95 * s[1] + 0.3 * a[0]]
    }

    private func transitions(_ count: Int, seed: UInt64) -> (s: [Float], a: [Float], next: [Float]) {
        var generator = RandomGenerator(seed: seed)
        var s: [Float] = [], a: [Float] = [], next: [Float] = []
        for _ in 0..<count {
            let state = [generator.nextUniform() * 4 - 2, generator.nextUniform() * 4 - 2], action = [generator.nextUniform() * 2 - 1]
            s += state; a += action; next += linearSystem(state, action)
        }
        return (s, a, next)
    }

    @Test func aModelTrainedOnALinearSystemPredictsIt() {
        var generator = RandomGenerator(seed: 7)
        let model = DynamicsModel(observationSize: 2, actionSize: 1, members: 3, eliteCount: 2, hiddenLayers: 2, hiddenSize: 32,
                                  using: &generator)
        let data = transitions(1500, seed: 1)
        let report = model.fit(observations: data.s, actions: data.a, nextObservations: data.next, epochs: 40, using: &generator)
        #expect(report.epochs >= 1 && report.trainingNLL.isFinite && report.validationErrors.count == 3)
        #expect(model.elites.count == 2 && Set(model.elites).count == 2)
        // Held-out states: every member's mean prediction is within a few hundredths of the truth.
        let test = transitions(200, seed: 2)
        for member in 0..<3 {
            let predicted = model.predict(observations: test.s, actions: test.a, members: [Int](repeating: member, count: 200),
                                          deterministic: true, using: &generator)
            let worst = zip(predicted, test.next).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 0.1, "member \(member): largest error \(worst)")
        }
        // Sampling adds the model's own (small, learned) noise around the mean.
        let members = (0..<200).map { $0 % 3 }
        let mean = model.predict(observations: test.s, actions: test.a, members: members, deterministic: true, using: &generator)
        let sampled = model.predict(observations: test.s, actions: test.a, members: members, using: &generator)
        let spread = zip(mean, sampled).map { abs($0 - $1) }
        #expect(spread.contains { $0 > 0 } && spread.allSatisfy { $0 < 0.5 })
    }
}
