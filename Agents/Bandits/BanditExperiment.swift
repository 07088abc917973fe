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

/// The bandit agents' settings with the book's names (`--set epsilon=0.01`).
public struct BanditHyperparameters: ParameterSet {
    /// Exploration rate ε (ε-greedy).
    public var epsilon = 0.1
    /// Step size α: ε-greedy's constant step (none: sample averages), the gradient bandit's
    /// (0.1 if none); LinUCB's confidence width (1 if none).
    public var alpha: Double?
    /// UCB's exploration weight c.
    public var c = 2.0
    /// Initial estimate Q₁ (ε-greedy; optimistic when positive).
    public var initialValue = 0.0
    /// The gradient bandit's average-reward baseline.
    public var baseline = true

    public static var ranges: [ParameterRange<Self>] { [
        .number("epsilon", \.epsilon, .closed(0, 1)),
        .optionalNumber("alpha", \.alpha, .above(0, upTo: 100)),
        .number("c", \.c, .closed(0, 100)),
        .number("q1", \.initialValue, .closed(-1e9, 1e9)),
        .flag("baseline", \.baseline),
    ] }
    public static var optionalNames: [String] { ["alpha"] }

    enum CodingKeys: String, CodingKey { case epsilon, alpha, c, initialValue = "q1", baseline }

    public init() {}
}

/// The bandit agents by command-line name, run as the book's experiment.
public enum BanditExperiments {
    public static let ids = ["epsilon-greedy", "ucb", "gradient-bandit", "thompson-sampling", "linucb"]
    /// The names `--set` may use: ε, α (step size; LinUCB's width), c (UCB), Q₁, baseline.
    public static var settingNames: [String] { BanditHyperparameters.ranges.map(\.name) }
    /// The most steps (pulls per task) and tasks of one experiment.
    public static let maxSteps = 100_000_000, maxRuns = 1_000_000

    /// `runs` independent tasks of `steps` pulls of `agent` on `environment` with `settings`
    /// (`name=value` pairs) applied to the defaults.
    public static func run(_ agent: String, on environment: any DynamicEnvironment, runs: Int, steps: Int, seed: UInt64,
                           settings: [String]) throws -> BanditCurves {
        try run(agent, on: environment, runs: runs, steps: steps, seed: seed, hyperparameters: BanditHyperparameters().setting(settings))
    }

    /// `runs` independent tasks of `steps` pulls of `agent` on `environment` (a `BanditProblem`
    /// such as the ten-armed testbed; a `ContextualBanditProblem` for LinUCB), averaged per step.
    public static func run(_ agent: String, on environment: any DynamicEnvironment, runs: Int, steps: Int, seed: UInt64,
                           hyperparameters h: BanditHyperparameters) throws -> BanditCurves {
        guard ids.contains(agent) else { throw TrainingError.unsupported("unknown bandit agent '\(agent)'; agents: \(ids.joined(separator: ", "))") }
        try h.validate()
        guard (1...maxSteps).contains(steps) else {
            throw HyperparameterError.invalid(name: "steps", value: "\(steps)", expected: "an integer in 1…\(maxSteps)")
        }
        guard (1...maxRuns).contains(runs) else {
            throw HyperparameterError.invalid(name: "runs", value: "\(runs)", expected: "an integer in 1…\(maxRuns)")
        }
        if agent == "epsilon-greedy", let alpha = h.alpha, alpha > 1 {
            throw HyperparameterError.invalid(name: "alpha", value: "\(alpha)", expected: "a step size in (0, 1] for epsilon-greedy")
        }
        try MemoryBudget.check("\(steps) steps", count: steps, bytesEach: 2 * MemoryLayout<Double>.size)
        if agent == "linucb" {
            guard let contextual = environment as? any ContextualBanditProblem else {
                throw TrainingError.unsupported("linucb needs a contextual bandit such as ContextualBandit-v0")
            }
            return linUCB(contextual, runs: runs, steps: steps, seed: seed, alpha: h.alpha ?? 1)
        }
        guard let bandit = environment as? any BanditProblem else {
            throw TrainingError.unsupported("\(agent) is a bandit agent; use it on KArmedBandit-v0 or BernoulliBandit-v0")
        }
        let curves = experiment(agent, bandit, runs: runs, steps: steps, seed: seed, settings: h)
        guard curves.meanReward.allSatisfy(\.isFinite) else { throw TrainingError.nonFinite("the mean reward") }
        return curves
    }

    private static func experiment<Bandit: BanditProblem>(_ agent: String, _ bandit: Bandit, runs: Int, steps: Int, seed: UInt64,
                                                          settings h: BanditHyperparameters) -> BanditCurves {
        let arms = bandit.arms
        func run<A: BanditAgent>(_ make: @escaping () -> A) -> BanditCurves {
            runBanditExperiment(runs: runs, steps: steps, seed: seed, environment: { bandit }, optimalAction: { $0.optimalAction }, agent: make)
        }
        switch agent {
        case "epsilon-greedy":
            return run { EpsilonGreedyBandit(arms: arms, epsilon: h.epsilon, stepSize: h.alpha, initialValue: h.initialValue) }
        case "ucb": return run { UCBBandit(arms: arms, c: h.c) }
        case "gradient-bandit": return run { GradientBandit(arms: arms, alpha: h.alpha ?? 0.1, baseline: h.baseline) }
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
