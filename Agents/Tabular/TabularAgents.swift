import Foundation
import RL

/// The tabular agents by command-line name, with the book's hyper-parameter names.
public enum TabularAgents {
    public static let ids = ["value-iteration", "policy-iteration", "q-learning", "sarsa", "expected-sarsa",
                             "double-q-learning", "n-step-sarsa", "mc-control", "dyna-q", "dyna-q-plus"]
    /// The names `--set` may use: α, ε, γ, n, θ (dynamic programming's tolerance), Q₁, κ.
    public static var settingNames: [String] { TabularHyperparameters.ranges.map(\.name) }

    /// What training gave: the state values and greedy policy, and for the learning agents the
    /// return of every training episode; `summary` says how it went in one line.
    public struct Result: Sendable {
        public var values: [Double]
        public var policy: [Int]
        public var episodeReturns: [Double]
        public var summary: String
    }

    /// The defaults of the book's examples for each method: Dyna-Q as in Figure 8.2 (α = 0.1,
    /// γ = 0.95, n = 5 planning steps), the others as in chapter 6 (α = 0.5, γ = 1, n = 4).
    public static func defaults(for agent: String) -> TabularHyperparameters {
        agent.hasPrefix("dyna") ? TabularHyperparameters(alpha: 0.1, epsilon: 0.1, gamma: 0.95, n: 5)
                                : TabularHyperparameters(alpha: 0.5, epsilon: 0.1, gamma: 1, n: 4)
    }

    /// The most training episodes one call runs (each is recorded).
    public static let maxEpisodes = 100_000_000

    /// Trains `agent` with its defaults changed by `settings` (`name=value` pairs, each checked
    /// against its range).
    public static func train(_ agent: String, on environment: any DynamicEnvironment, episodes: Int, seed: UInt64,
                             settings: [String]) throws -> Result {
        try checkApplicable(agent, to: environment)
        let given = Set(settings.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        if agent == "value-iteration" || agent == "policy-iteration", !given.contains("gamma") {
            throw TrainingError.unsupported("\(agent): give --set gamma=… (below 1 for continuing tasks)")
        }
        return try train(agent, on: environment, episodes: episodes, seed: seed,
                         hyperparameters: defaults(for: agent).setting(settings))
    }

    /// Trains `agent` on a tabular environment (dynamic programming on its model, the others by
    /// interaction for `episodes` episodes).
    public static func train(_ agent: String, on environment: any DynamicEnvironment, episodes: Int, seed: UInt64,
                             hyperparameters h: TabularHyperparameters) throws -> Result {
        try checkApplicable(agent, to: environment)
        try h.validate()
        guard (1...maxEpisodes).contains(episodes) else {
            throw HyperparameterError.invalid(name: "episodes", value: "\(episodes)", expected: "an integer in 1…\(maxEpisodes)")
        }
        if agent == "n-step-sarsa" && h.n < 1 {
            throw HyperparameterError.invalid(name: "n", value: "\(h.n)", expected: "at least 1 step for n-step-sarsa")
        }
        try MemoryBudget.check("--episodes \(episodes)", count: episodes, bytesEach: 2 * MemoryLayout<Double>.size)

        if agent == "value-iteration" || agent == "policy-iteration" {
            guard let model = environment.tabularModel else {
                throw TrainingError.unsupported("\(agent) needs the model of a tabular environment; this one has none")
            }
            let notConverged = "\(agent) did not converge (gamma=\(h.gamma), theta=\(h.theta)): use gamma below 1 on a continuing task, or a larger theta"
            if agent == "value-iteration" {
                let result = valueIteration(model, gamma: h.gamma, theta: h.theta)
                guard result.converged else { throw TrainingError.didNotConverge(notConverged) }
                return Result(values: result.values, policy: result.policy, episodeReturns: [],
                              summary: "value iteration converged in \(result.sweeps) sweeps")
            }
            let result = policyIteration(model, gamma: h.gamma, theta: h.theta)
            guard result.converged else { throw TrainingError.didNotConverge(notConverged) }
            return Result(values: result.values, policy: result.policy, episodeReturns: [],
                          summary: "policy iteration stable after \(result.iterations) improvements (\(result.evaluationSweeps) evaluation sweeps)")
        }
        var view = DiscreteView(base: environment)
        let run: TabularRun = switch agent {
        case "q-learning": QLearning.train(&view, episodes: episodes, seed: seed, hyperparameters: h)
        case "sarsa": SARSA.train(&view, episodes: episodes, seed: seed, hyperparameters: h)
        case "expected-sarsa": ExpectedSARSA.train(&view, episodes: episodes, seed: seed, hyperparameters: h)
        case "double-q-learning": DoubleQLearning.train(&view, episodes: episodes, seed: seed, hyperparameters: h)
        case "n-step-sarsa": NStepSARSA.train(&view, episodes: episodes, seed: seed, hyperparameters: h)
        case "mc-control": MonteCarloControl.train(&view, episodes: episodes, seed: seed, hyperparameters: h)
        case "dyna-q": DynaQ.train(&view, episodes: episodes, seed: seed, hyperparameters: h)
        default: DynaQ.train(&view, episodes: episodes, seed: seed, hyperparameters: h, plus: true)
        }
        if let s = run.q.firstIndex(where: { !$0.allSatisfy(\.isFinite) }) {
            throw TrainingError.nonFinite("the action values (Q of state \(s))")
        }
        let recent = run.episodeReturns.suffix(100)
        let mean = recent.reduce(0, +) / Double(Swift.max(recent.count, 1))
        return Result(values: run.values, policy: run.policy, episodeReturns: run.episodeReturns,
                      summary: "\(agent): \(episodes) episodes, mean return of the last \(recent.count) \(String(format: "%.3f", mean))")
    }

    private static func checkApplicable(_ agent: String, to environment: any DynamicEnvironment) throws {
        guard ids.contains(agent) else { throw TrainingError.unsupported("unknown tabular agent '\(agent)'; agents: \(ids.joined(separator: ", "))") }
        guard environment.observationSpace.discreteCount != nil, environment.actionSpace.discreteCount != nil else {
            throw TrainingError.unsupported("\(agent) needs discrete states and actions, not \(environment.observationSpace) → \(environment.actionSpace)")
        }
    }

    /// Undiscounted returns of the greedy `policy` on `environment`, one per episode, each
    /// capped at `maxSteps`; the first reset is seeded with `seed`.
    public static func evaluateGreedy(_ policy: [Int], on environment: any DynamicEnvironment, episodes: Int, seed: UInt64,
                                      maxSteps: Int = 10_000) -> [Double] {
        var view = DiscreteView(base: environment)
        return (0..<episodes).map { episode in
            var state = view.reset(seed: episode == 0 ? seed : nil).observation
            var total = 0.0
            for _ in 0..<maxSteps {
                let t = view.step(policy[state])
                total += t.reward
                state = t.observation
                if t.isLast { break }
            }
            return total
        }
    }
}

/// An environment from the registry seen through integer states and actions.
struct DiscreteView: Environment {
    var base: any DynamicEnvironment
    var observationSpace: Space { base.observationSpace }
    var actionSpace: Space { base.actionSpace }
    mutating func reset(seed: UInt64?) -> (observation: Int, info: Info) {
        let (observation, info) = base.resetFlat(seed: seed)
        return (Int(observation[0]), info)
    }
    mutating func step(_ action: Int) -> Transition<Int> {
        // The agents only pick actions of the space, so the step cannot be refused.
        let t = try! base.stepFlat([Double(action)])
        return Transition(observation: Int(t.observation[0]), reward: t.reward, terminated: t.terminated, truncated: t.truncated, info: t.info)
    }
}
