import Agents
import Environments
import Foundation
import NN
import RL
import Tensor
import TestSupport
import Testing

/// SB3's and PyTorch's values from scripts/make_rl_fixtures.py.
private func reference(_ key: String) throws -> [String: Any] {
    let url = try #require(Bundle.module.url(forResource: "sb3_reference", withExtension: "json", subdirectory: "Fixtures"))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    return try #require(object[key] as? [String: Any])
}

private func floats(_ value: Any?) -> [Float] { (value as? [Double] ?? []).map(Float.init) }

private func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance * Swift.max(1, Swift.abs($1)) }
}

@Suite("Deep-agent building blocks match Stable-Baselines3 and PyTorch")
struct DeepComponentsTests {
    @Test func gaeMatchesStableBaselines3() throws {
        let g = try reference("gae")
        let steps = g["steps"] as! Int, envs = g["envs"] as! Int
        let rewards = floats(g["rewards"]), values = floats(g["values"]), starts = floats(g["episode_starts"])
        var buffer = RolloutBuffer(steps: steps, copies: envs, observationSize: 2, actionSize: 1)
        for t in 0..<steps {
            let row = (t * envs)..<((t + 1) * envs)
            buffer.add(observations: Array(repeating: 0, count: 2 * envs), actions: Array(repeating: 0, count: envs),
                       rewards: Array(rewards[row]), episodeStarts: starts[row].map { $0 != 0 },
                       values: Array(values[row]), logProbabilities: Array(repeating: 0, count: envs))
        }
        buffer.computeAdvantages(lastValues: floats(g["last_values"]), lastEpisodeStarts: floats(g["last_dones"]).map { $0 != 0 },
                                 gamma: Float(g["gamma"] as! Double), lambda: Float(g["lam"] as! Double))
        #expect(close(buffer.advantages, floats(g["advantages"])), "\(buffer.advantages)")
        #expect(close(buffer.returns, floats(g["returns"])))
    }

    @Test func runningStatisticsMatchStableBaselines3() throws {
        let r = try reference("running_mean")
        var statistics = RunningMeanVariance(dimension: 4)
        for batch in r["batches"] as! [[Double]] { statistics.update(rows: batch.map(Float.init)) }
        #expect(zip(statistics.mean, r["mean"] as! [Double]).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
        #expect(zip(statistics.variance, r["var"] as! [Double]).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
        #expect(Swift.abs(statistics.count - (r["count"] as! Double)) < 1e-9)
    }

    @Test func categoricalMatchesTorch() throws {
        let c = try reference("categorical")
        let distribution = ActionDistribution.categorical(logits: Tensor(floats(c["logits"]), shape: [4, 3]))
        #expect(close(distribution.logProbability(of: (c["actions"] as! [Int]).map(Float.init)).scalars, floats(c["log_prob"])))
        #expect(close(distribution.entropy().scalars, floats(c["entropy"])))
    }

    @Test func gaussianMatchesTorch() throws {
        let c = try reference("gaussian")
        let distribution = ActionDistribution.gaussian(mean: Tensor(floats(c["mean"]), shape: [4, 2]), logStd: Tensor(floats(c["log_std"])))
        #expect(close(distribution.logProbability(of: floats(c["actions"])).scalars, floats(c["log_prob"])))
        #expect(close(distribution.entropy().scalars, floats(c["entropy"])))
    }

    @Test func gaussianLogProbabilityGradientsMatchFiniteDifferences() {
        var generator = RandomGenerator(seed: 3)
        let mean = Tensor.normal([3, 2], using: &generator)
        let logStd = Tensor([0.2, -0.4])
        let actions: [Float] = [0.1, -0.3, 1.2, 0.5, -0.7, 0.0]
        let result = checkGradient([mean, logStd]) { inputs in
            ActionDistribution.gaussian(mean: inputs[0], logStd: inputs[1]).logProbability(of: actions)
        }
        #expect(result.passed, "\(result.detail)")
        let entropy = checkGradient([mean, logStd]) { ActionDistribution.gaussian(mean: $0[0], logStd: $0[1]).entropy() }
        #expect(entropy.passed, "\(entropy.detail)")
    }

    @Test func clippedSurrogateHasThePapersValueAndGradient() {
        // Ratios on both sides of the clip range, positive and negative advantages.
        let oldLogp: [Double] = [-0.7, -0.2, -1.5, -0.9, -0.3, -2.0]
        let advantages: [Double] = [1.2, -0.8, 0.5, -1.5, 2.0, -0.3]
        let newLogp: [Double] = [-0.2, -0.9, -1.45, -0.5, -0.35, -1.1]
        let clip = 0.2, n = Double(oldLogp.count)
        // Equation (7) by hand: L = −mean(min(r·A, clip(r)·A)); ∂L/∂log π = −A·r/N where the
        // unclipped term is the smaller or r lies inside the range, else 0.
        var expected = 0.0, slopes: [Double] = []
        for i in oldLogp.indices {
            let r = Foundation.exp(newLogp[i] - oldLogp[i]), a = advantages[i]
            let unclipped = r * a, clipped = Swift.min(Swift.max(r, 1 - clip), 1 + clip) * a
            expected -= Swift.min(unclipped, clipped) / n
            slopes.append(unclipped <= clipped || (r >= 1 - clip && r <= 1 + clip) ? -a * r / n : 0)
        }
        let (old, a) = (Tensor(oldLogp.map(Float.init)), Tensor(advantages.map(Float.init)))
        let logp = Tensor(newLogp.map(Float.init)).requiringGrad()
        let loss = Loss.clippedSurrogate(logp, oldLogp: old, advantages: a, clip: Float(clip))
        #expect(Swift.abs(Double(loss.item) - expected) < 1e-6, "\(loss.item) vs \(expected)")
        loss.backward()
        let gradient = logp.grad?.scalars ?? []
        #expect(zip(gradient, slopes).allSatisfy { Swift.abs(Double($0) - $1) < 1e-6 }, "\(gradient) vs \(slopes)")
        // The fused op against its paper form, as CleanRL writes it, and against finite differences.
        func paperForm(_ lp: Tensor) -> Tensor {
            let ratio = (lp - old).exp()
            return -Tensor.minimum(ratio * a, ratio.clamped(min: 1 - Float(clip), max: 1 + Float(clip)) * a).mean()
        }
        let reference = Tensor(newLogp.map(Float.init)).requiringGrad()
        let paper = paperForm(reference)
        paper.backward()
        #expect(Swift.abs(paper.item - loss.item) < 1e-6)
        #expect(zip(reference.grad?.scalars ?? [], gradient).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
        let check = checkGradient([Tensor(newLogp.map(Float.init))]) { Loss.clippedSurrogate($0[0], oldLogp: old, advantages: a, clip: Float(clip)) }
        #expect(check.passed, "\(check.detail)")
    }

    @Test func replayBufferIsARingOfTheLastTransitions() {
        var replay = ReplayBuffer(capacity: 3, observationSize: 1, actionSize: 1)
        for i in 0..<5 {
            let o: [Float] = [Float(i)], next: [Float] = [Float(i) + 0.5], a: [Float] = [Float(i % 2)]
            replay.add(row: 0, observations: o, actions: a, reward: Float(i), nextObservations: next, terminated: i == 4)
        }
        #expect(replay.count == 3 && replay.position == 2)
        #expect(replay.observations == [3, 4, 2] && replay.nextObservations == [3.5, 4.5, 2.5])
        #expect(replay.terminated == [0, 1, 0] && replay.rewards == [3, 4, 2])
        var generator = RandomGenerator(seed: 1)
        #expect(replay.sampleIndices(100, using: &generator).allSatisfy { (0..<3).contains($0) })
    }

    @Test func interquartileMeanAndBootstrap() {
        // SciPy: trim_mean([1, 2, 3, 4, 100], 0.25) = 3 (one value cut from each end).
        #expect(interquartileMean([1, 2, 3, 4, 100]) == 3)
        #expect(interquartileMean([5, 1, 3, 2]) == 2.5)
        let interval = bootstrapInterval(strata: [[1, 2, 3, 4, 5, 6, 7, 8]], seed: 1)
        #expect(interval.low < 4.5 && interval.high > 4.5 && interval.low >= 1 && interval.high <= 8)
    }

    @Test func vectorEnvironmentSnapshotRestoresExactly() throws {
        var a = try environments.make("CartPole-v1").batched(copies: 3)
        a.reset(seed: 5)
        var generator = RandomGenerator(seed: 2)
        for _ in 0..<40 { a.step(flatActions: (0..<3).map { _ in Float(generator.nextInt(below: 2)) }) }
        var b = try environments.make("CartPole-v1").batched(copies: 3)
        try b.restore(from: a.snapshot())
        for _ in 0..<300 {
            let actions = (0..<3).map { _ in Float(generator.nextInt(below: 2)) }
            a.step(flatActions: actions)
            b.step(flatActions: actions)
            #expect(a.observations == b.observations && a.rewards == b.rewards && a.truncated == b.truncated)
        }
        expectError("environment state in the checkpoint is malformed") { try b.restore(from: Data("{}".utf8)) }
    }
}
