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

/// The bandit agents by command-line name, run as the book's experiment.
public enum BanditExperiments {
    public static let ids = ["epsilon-greedy", "ucb", "gradient-bandit", "thompson-sampling", "linucb"]
    /// The names `settings` may use: ε, α (step size; LinUCB's width), c (UCB), Q₁, baseline (0 or 1).
    public static let settingNames = ["epsilon", "alpha", "c", "q1", "baseline"]

    /// `runs` independent tasks of `steps` pulls of `agent` on `environment` (a `BanditProblem`
    /// such as the ten-armed testbed; a `ContextualBanditProblem` for LinUCB), averaged per step.
    public static func run(_ agent: String, on environment: any DynamicEnvironment, runs: Int, steps: Int, seed: UInt64,
                           settings h: [String: Double]) throws -> BanditCurves {
        guard ids.contains(agent) else { throw TrainingError.unsupported("unknown bandit agent '\(agent)'; agents: \(ids.joined(separator: ", "))") }
        if agent == "linucb" {
            guard let contextual = environment as? any ContextualBanditProblem else {
                throw TrainingError.unsupported("linucb needs a contextual bandit such as ContextualBandit-v0")
            }
            return linUCB(contextual, runs: runs, steps: steps, seed: seed, alpha: h["alpha"] ?? 1)
        }
        guard let bandit = environment as? any BanditProblem else {
            throw TrainingError.unsupported("\(agent) is a bandit agent; use it on KArmedBandit-v0 or BernoulliBandit-v0")
        }
        return experiment(agent, bandit, runs: runs, steps: steps, seed: seed, settings: h)
    }

    private static func experiment<Bandit: BanditProblem>(_ agent: String, _ bandit: Bandit, runs: Int, steps: Int, seed: UInt64,
                                                          settings h: [String: Double]) -> BanditCurves {
        let arms = bandit.arms
        func run<A: BanditAgent>(_ make: @escaping () -> A) -> BanditCurves {
            runBanditExperiment(runs: runs, steps: steps, seed: seed, environment: { bandit }, optimalAction: { $0.optimalAction }, agent: make)
        }
        switch agent {
        case "epsilon-greedy":
            return run { EpsilonGreedyBandit(arms: arms, epsilon: h["epsilon"] ?? 0.1, stepSize: h["alpha"], initialValue: h["q1"] ?? 0) }
        case "ucb": return run { UCBBandit(arms: arms, c: h["c"] ?? 2) }
        case "gradient-bandit": return run { GradientBandit(arms: arms, alpha: h["alpha"] ?? 0.1, baseline: (h["baseline"] ?? 1) != 0) }
        default: return run { ThompsonSampling(arms: arms, likelihood: bandit.hasBernoulliRewards ? .bernoulli : .gaussian) }
        }
    }

    /// LinUCB on a contextual bandit: per step the mean reward and the fraction of runs that
    /// pulled the arm with the best expected payoff for the context shown.
    static func linUCB<Bandit: ContextualBanditProblem>(_ contextual: Bandit, runs: Int, steps: Int, seed: UInt64,
                                                         alpha: Double) -> BanditCurves {
        var curves = BanditCurves(meanReward: Array(repeating: 0, count: steps), optimalActionFraction: Array(repeating: 0, count: steps))
        for run in 0..<runs {
            var bandit = contextual
            var context = bandit.reset(seed: seed &+ UInt64(run)).observation.map(Double.init)
            var learner = LinUCB(arms: bandit.arms, dimension: bandit.dimension, alpha: alpha)
            var generator = RandomGenerator(seed: seed &+ UInt64(run) &+ 7_919)
            for t in 0..<steps {
                let arm = learner.selectArm(context: context, using: &generator)
                if arm == bandit.optimalAction { curves.optimalActionFraction[t] += 1 / Double(runs) }
                let step = bandit.step(arm)
                learner.update(arm: arm, context: context, reward: step.reward)
                curves.meanReward[t] += step.reward / Double(runs)
                context = step.observation.map(Double.init)
            }
        }
        return curves
    }
}
