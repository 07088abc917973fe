import Agents
import Environments
import Foundation
import RL
import Tensor
import Testing

@Suite("Bandit agents reproduce chapter 2")
struct BanditTests {
    func testbed<Agent: BanditAgent>(runs: Int = 2000, mean: Double = 0, _ agent: @escaping () -> Agent) -> (reward: Double, optimal: Double) {
        runBanditExperiment(runs: runs, steps: 1000, seed: 1, environment: { GaussianBandit(arms: 10, mean: mean) },
                            optimalAction: { $0.optimalAction }, agent: agent).average(901...1000)
    }

    @Test func figure2_2EpsilonGreedy() {
        // Published (2000 runs, steps 901–1000): ε = 0 ≈ 1.03 / 36 %, 0.01 ≈ 1.32 / 60 %, 0.1 ≈ 1.36 / 80 %.
        let greedy = testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0) }
        let small = testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0.01) }
        let large = testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0.1) }
        #expect(Swift.abs(greedy.reward - 1.03) < 0.06 && Swift.abs(greedy.optimal - 0.36) < 0.04, "\(greedy)")
        #expect(Swift.abs(small.reward - 1.32) < 0.06 && Swift.abs(small.optimal - 0.60) < 0.05, "\(small)")
        #expect(Swift.abs(large.reward - 1.36) < 0.05 && Swift.abs(large.optimal - 0.80) < 0.03, "\(large)")
    }

    @Test func figures2_3And2_4OptimismAndUCB() {
        // Published: optimistic Q₁ = 5 ≈ 1.50 / 85 %, realistic ε = 0.1 ≈ 1.35 / 76 %, UCB c = 2 ≈ 1.49 / 86 %.
        let optimistic = testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0, stepSize: 0.1, initialValue: 5) }
        let realistic = testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0.1, stepSize: 0.1) }
        let ucb = testbed { UCBBandit(arms: 10, c: 2) }
        #expect(Swift.abs(optimistic.reward - 1.50) < 0.05 && Swift.abs(optimistic.optimal - 0.85) < 0.04, "\(optimistic)")
        #expect(Swift.abs(realistic.reward - 1.35) < 0.05 && Swift.abs(realistic.optimal - 0.76) < 0.04, "\(realistic)")
        #expect(Swift.abs(ucb.reward - 1.49) < 0.05 && Swift.abs(ucb.optimal - 0.86) < 0.04, "\(ucb)")
    }

    @Test func figure2_5GradientBandit() {
        // q* ~ N(4, 1): with a baseline the step size matters little; without one, learning suffers.
        let withBaseline = testbed(runs: 1000, mean: 4) { GradientBandit(arms: 10, alpha: 0.1) }
        let without = testbed(runs: 1000, mean: 4) { GradientBandit(arms: 10, alpha: 0.1, baseline: false) }
        #expect(withBaseline.optimal > 0.75 && without.optimal < 0.6, "\(withBaseline) \(without)")
        #expect(withBaseline.optimal > without.optimal + 0.2, "\(withBaseline) \(without)")
    }

    @Test func thompsonSamplingFindsTheBestArm() {
        let gaussian = testbed(runs: 500) { ThompsonSampling(arms: 10, likelihood: .gaussian) }
        #expect(gaussian.optimal > 0.85, "\(gaussian)")
        var coins = BernoulliBandit(arms: 5, probabilities: [0.1, 0.3, 0.5, 0.7, 0.75])
        _ = coins.reset(seed: 0)
        var agent = ThompsonSampling(arms: 5, likelihood: .bernoulli)
        var generator = RandomGenerator(seed: 0)
        var best = 0
        for t in 0..<5000 {
            let arm = agent.selectArm(using: &generator)
            agent.update(arm: arm, reward: coins.step(arm).reward)
            if t >= 4000 && arm >= 3 { best += 1 }
        }
        #expect(best > 950, "\(best) of the last 1000 pulls")  // the two good arms, 0.7 and 0.75, take almost every late pull
    }

    @Test func linUCBLearnsLinearPayoffs() {
        var bandit = ContextualLinearBandit(arms: 4, dimension: 5, noise: 0.1)
        var context = bandit.reset(seed: 3).observation.map(Double.init)
        var agent = LinUCB(arms: 4, dimension: 5, alpha: 0.5)
        var generator = RandomGenerator(seed: 3)
        var optimalLate = 0
        for t in 0..<3000 {
            let arm = agent.selectArm(context: context, using: &generator)
            if t >= 2000 && arm == bandit.optimalAction { optimalLate += 1 }
            let step = bandit.step(arm)
            agent.update(arm: arm, context: context, reward: step.reward)
            context = step.observation.map(Double.init)
        }
        #expect(optimalLate > 900, "\(optimalLate) of 1000")
    }
}
