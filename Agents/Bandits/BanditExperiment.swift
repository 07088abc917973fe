import RL
import Tensor

/// The book's bandit experiment (§2.3): `runs` independent tasks, `steps` pulls each; per step,
/// the reward and whether the optimal arm was pulled, averaged over runs.
public struct BanditCurves: Sendable {
    public var meanReward: [Double]
    public var optimalActionFraction: [Double]

    public init(meanReward: [Double], optimalActionFraction: [Double]) {
        self.meanReward = meanReward
        self.optimalActionFraction = optimalActionFraction
    }

    /// Means over steps `range` (1-based, inclusive).
    public func average(_ range: ClosedRange<Int>) -> (reward: Double, optimal: Double) {
        let slice = (range.lowerBound - 1)...(range.upperBound - 1)
        return (meanReward[slice].reduce(0, +) / Double(range.count),
                optimalActionFraction[slice].reduce(0, +) / Double(range.count))
    }
}

/// `optimalAction` reads the best arm off the environment (bandits expose their true values).
public func runBanditExperiment<Bandit: Environment, Agent: BanditAgent>(
    runs: Int, steps: Int, seed: UInt64, environment makeEnvironment: () -> Bandit,
    optimalAction: (Bandit) -> Int, agent makeAgent: () -> Agent
) -> BanditCurves where Bandit.Action == Int {
    var curves = BanditCurves(meanReward: Array(repeating: 0, count: steps), optimalActionFraction: Array(repeating: 0, count: steps))
    for run in 0..<runs {
        var bandit = makeEnvironment()
        _ = bandit.reset(seed: seed &+ UInt64(run) &* 2)
        var agent = makeAgent()
        var generator = RandomGenerator(seed: seed &+ UInt64(run) &* 2 &+ 1)
        for t in 0..<steps {
            let arm = agent.selectArm(using: &generator)
            let optimal = optimalAction(bandit)  // before the step: a random walk moves after it
            let reward = bandit.step(arm).reward
            agent.update(arm: arm, reward: reward)
            curves.meanReward[t] += reward
            if arm == optimal { curves.optimalActionFraction[t] += 1 }
        }
    }
    for t in 0..<steps {
        curves.meanReward[t] /= Double(runs)
        curves.optimalActionFraction[t] /= Double(runs)
    }
    return curves
}
