import Agents
import ArgumentParser
import Environments
import Foundation
import RL
import Tensor

/// An environment from the registry seen through integer states and actions, for the tabular agents.
struct DiscreteView: Environment {
    var base: any DynamicEnvironment
    var observationSpace: Space { base.observationSpace }
    var actionSpace: Space { base.actionSpace }
    mutating func reset(seed: UInt64?) -> Int { Int(base.resetFlat(seed: seed)[0]) }
    mutating func step(_ action: Int) -> Transition<Int> {
        // The agents only pick actions of the space, so the step cannot be refused.
        let t = try! base.stepFlat([Double(action)])
        return Transition(observation: Int(t.observation[0]), reward: t.reward, terminated: t.terminated, truncated: t.truncated)
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an agent on an environment and evaluate its greedy policy.",
        discussion: """
            Tabular agents: value-iteration, policy-iteration, q-learning, sarsa, expected-sarsa,
            double-q-learning, n-step-sarsa, mc-control, dyna-q, dyna-q-plus. Bandit agents (on
            KArmedBandit-v0 or BernoulliBandit-v0): epsilon-greedy, ucb, gradient-bandit, thompson-sampling
            (Gaussian or Bernoulli posterior to match the bandit); on ContextualBandit-v0: linucb (--set alpha).
            Hyper-parameters use the book's names with --set: alpha, epsilon, gamma, n, theta, c, q1, kappa,
            baseline (0 or 1, gradient bandit).
            Deep agents: ppo, a2c, reinforce, dqn, double-dqn, with Stable-Baselines3's hyper-parameter names
            (--set learning_rate=lin_1e-3 --set n_steps=64 …), SB3's defaults or --preset zoo, --config FILE.json;
            --out DIR keeps config.json, metrics.csv/.jsonl and checkpoint.safetensors; --resume DIR continues;
            --eval-freq N evaluates every N steps (--eval-episodes, deterministic) and keeps best.safetensors;
            --json prints eval_mean, eval_std, steps, wall_s, steps_per_s, run_dir.
            --json prints episode_returns, values, policy and eval_mean (tabular), or mean_reward and
            optimal_action_fraction per step (bandits, averaged over --runs tasks).
            """
    )

    @Option(help: "Environment id (not needed with --resume).") var env = ""
    @OptionGroup var environmentOptions: EnvironmentOptionFlags
    @Option(help: "Agent name (not needed with --resume).") var agent = ""
    @Option(help: "Training episodes (tabular) or steps per run (bandits).") var episodes = 500
    @Option(help: "Deep agents: environment steps to train (default: the preset's n_timesteps).") var steps: Int?
    @Option(help: "Deep agents: hyper-parameter preset, default (SB3's defaults) or zoo (rl-baselines3-zoo's tuned values).")
    var preset = "default"
    @Option(help: "Deep agents: JSON file of hyper-parameters (snake-case names), applied after the preset.") var config: String?
    @Option(help: "Deep agents: run directory for config, metrics and checkpoints (e.g. runs/ppo-cartpole).") var out: String?
    @Option(help: "Deep agents: continue the run in this directory from its last checkpoint.") var resume: String?
    @Option(help: "Deep agents: also checkpoint every N steps (0: only at the end).") var checkpointEvery = 50_000
    @Option(help: "Independent bandit tasks to average over.") var runs = 1
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(name: .customLong("set"), help: "Hyper-parameter name=value (repeatable).") var settings: [String] = []
    @Option(help: "Evaluation episodes (default 100 tabular, 20 deep; deep agents: periodic evaluations too).") var evalEpisodes: Int?
    @Option(help: "Deep agents: evaluate the deterministic policy every N steps and keep the best as best.safetensors (0: never).")
    var evalFreq = 0
    @Flag(help: "Print one JSON document.") var json = false

    static let tabularAgents = ["value-iteration", "policy-iteration", "q-learning", "sarsa", "expected-sarsa",
                                "double-q-learning", "n-step-sarsa", "mc-control", "dyna-q", "dyna-q-plus"]
    static let banditAgents = ["epsilon-greedy", "ucb", "gradient-bandit", "thompson-sampling", "linucb"]

    var isDeep: Bool { resume != nil || DeepAgents.ids.contains(agent) }

    func validate() throws {
        if resume == nil {
            guard !env.isEmpty else { throw ValidationError("--env is required (or --resume DIR)") }
            let all = Self.tabularAgents + Self.banditAgents + DeepAgents.ids
            guard all.contains(agent) else {
                throw ValidationError(agent.isEmpty ? "--agent is required; agents: \(all.joined(separator: ", "))"
                                                    : "unknown agent '\(agent)'; agents: \(all.joined(separator: ", "))")
            }
        }
        guard episodes >= 1, runs >= 1, (evalEpisodes ?? 0) >= 0 else { throw ValidationError("--episodes and --runs must be positive") }
        guard (steps ?? 1) >= 1, checkpointEvery >= 0 else { throw ValidationError("--steps must be positive and --checkpoint-every ≥ 0") }
        guard evalFreq >= 0 else { throw ValidationError("--eval-freq must be ≥ 0") }
        guard evalFreq == 0 || (evalEpisodes ?? 1) >= 1 else { throw ValidationError("--eval-freq needs --eval-episodes ≥ 1") }
        if !isDeep && evalFreq != 0 { throw ValidationError("--eval-freq is for the deep agents (\(DeepAgents.ids.joined(separator: ", ")))") }
        if resume != nil && (!env.isEmpty || !agent.isEmpty || steps != nil || config != nil || preset != "default" || evalFreq != 0
                             || !settings.isEmpty || out != nil || !environmentOptions.pairs.isEmpty) {
            throw ValidationError("--resume continues a run with its own configuration; drop --env, --agent, --steps, --preset, --config, --set, --eval-freq and --out")
        }
        if !isDeep && (steps != nil || out != nil || config != nil || preset != "default") {
            throw ValidationError("--steps, --preset, --config and --out are for the deep agents (\(DeepAgents.ids.joined(separator: ", ")))")
        }
    }

    /// `--set` values by name, checked against the names this command knows.
    func hyperparameters() throws -> [String: Double] {
        let known = ["alpha", "epsilon", "gamma", "n", "theta", "c", "q1", "kappa", "baseline"]
        var values: [String: Double] = [:]
        for pair in settings {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, known.contains(parts[0]) else {
                throw UserError("--set \(pair): expected name=value with name one of \(known.joined(separator: ", "))")
            }
            guard let value = Double(parts[1]), value.isFinite else { throw UserError("--set \(pair): '\(parts[1])' is not a number") }
            values[parts[0]] = value
        }
        return values
    }

    func run() throws {
        if isDeep { return try runDeep() }
        let evalEpisodes = self.evalEpisodes ?? 100
        let h = try hyperparameters()
        let environment = try environmentOptions.make(env)
        if Self.banditAgents.contains(agent) { return try runBandit(environment, h) }
        guard environment.observationSpace.discreteCount != nil, environment.actionSpace.discreteCount != nil else {
            throw UserError("\(agent) needs discrete states and actions; \(env) has \(environment.observationSpace) → \(environment.actionSpace)")
        }
        var view = DiscreteView(base: environment)
        let gamma = h["gamma"] ?? (agent.hasPrefix("dyna") ? 0.95 : 1)
        var hp = TabularHyperparameters(alpha: h["alpha"] ?? (agent.hasPrefix("dyna") ? 0.1 : 0.5), epsilon: h["epsilon"] ?? 0.1,
                                        gamma: gamma, n: Int(h["n"] ?? (agent.hasPrefix("dyna") ? 5 : 4)),
                                        initialValue: h["q1"] ?? 0, kappa: h["kappa"] ?? 0.001)
        hp.n = Swift.max(hp.n, agent.hasPrefix("dyna") ? 0 : 1)
        let start = nanoseconds()
        var returns: [Double] = []
        let values: [Double], policy: [Int]
        switch agent {
        case "value-iteration", "policy-iteration":
            guard let model = environment.tabularModel else { throw UserError("\(agent) needs the model of a tabular environment; \(env) has none") }
            guard gamma < 1 || h["gamma"] != nil else { throw UserError("\(agent): give --set gamma=… (below 1 for continuing tasks)") }
            if agent == "value-iteration" {
                let result = valueIteration(model, gamma: gamma, theta: h["theta"] ?? 1e-10)
                (values, policy) = (result.values, result.policy)
                log("value iteration converged in \(result.sweeps) sweeps")
            } else {
                let result = policyIteration(model, gamma: gamma, theta: h["theta"] ?? 1e-10)
                (values, policy) = (result.values, result.policy)
                log("policy iteration stable after \(result.iterations) improvements (\(result.evaluationSweeps) evaluation sweeps)")
            }
        default:
            let run: TabularRun
            switch agent {
            case "q-learning": run = QLearning.train(&view, episodes: episodes, seed: seed, hyperparameters: hp)
            case "sarsa": run = SARSA.train(&view, episodes: episodes, seed: seed, hyperparameters: hp)
            case "expected-sarsa": run = ExpectedSARSA.train(&view, episodes: episodes, seed: seed, hyperparameters: hp)
            case "double-q-learning": run = DoubleQLearning.train(&view, episodes: episodes, seed: seed, hyperparameters: hp)
            case "n-step-sarsa": run = NStepSARSA.train(&view, episodes: episodes, seed: seed, hyperparameters: hp)
            case "mc-control": run = MonteCarloControl.train(&view, episodes: episodes, seed: seed, hyperparameters: hp)
            case "dyna-q": run = DynaQ.train(&view, episodes: episodes, seed: seed, hyperparameters: hp)
            default: run = DynaQ.train(&view, episodes: episodes, seed: seed, hyperparameters: hp, plus: true)
            }
            (values, policy, returns) = (run.values, run.policy, run.episodeReturns)
            let recent = returns.suffix(100)
            log("\(agent) on \(env): \(episodes) episodes, mean return of the last \(recent.count) \(String(format: "%.3f", recent.reduce(0, +) / Double(recent.count)))")
        }
        // Greedy evaluation on a fresh environment: undiscounted return per episode, capped at 10 000 steps.
        var evaluation = DiscreteView(base: try environmentOptions.make(env))
        var evalReturns: [Double] = []
        for episode in 0..<evalEpisodes {
            var s = evaluation.reset(seed: episode == 0 ? seed &+ 1_000_003 : nil)
            var total = 0.0
            for _ in 0..<10_000 {
                let t = evaluation.step(policy[s])
                total += t.reward
                s = t.observation
                if t.isLast { break }
            }
            evalReturns.append(total)
        }
        let evalMean = evalReturns.isEmpty ? Double.nan : evalReturns.reduce(0, +) / Double(evalReturns.count)
        let wall = Double(nanoseconds() - start) / 1e9
        log("greedy policy: mean return \(String(format: "%.4f", evalMean)) over \(evalEpisodes) episodes (\(String(format: "%.2f", wall)) s)")
        if json {
            try printJSON(["env": env, "agent": agent, "seed": seed, "episode_returns": returns, "values": values,
                           "policy": policy, "eval_mean": evalMean.isNaN ? NSNull() : evalMean as Any, "wall_s": wall])
        } else {
            print("\(agent) on \(env): greedy evaluation mean return \(String(format: "%.4f", evalMean))")
            if let model = environment.tabularModel, model.stateCount <= 256 {
                print("policy: " + policy.map(String.init).joined(separator: " "))
            }
        }
    }

    func runBandit(_ environment: any DynamicEnvironment, _ h: [String: Double]) throws {
        if agent == "linucb" { return try runLinUCB(environment, h) }
        let bandit: AnyBandit, arms: Int, bernoulli: Bool
        if let testbed = environment as? TimeLimit<GaussianBandit> {
            (bandit, arms, bernoulli) = (AnyBandit(testbed.base, optimalAction: { $0.optimalAction }), testbed.base.arms, false)
        } else if let coins = environment as? TimeLimit<BernoulliBandit> {
            (bandit, arms, bernoulli) = (AnyBandit(coins.base, optimalAction: { $0.optimalAction }), coins.base.arms, true)
        } else {
            throw UserError("\(agent) is a bandit agent; use it on KArmedBandit-v0 or BernoulliBandit-v0 (got \(env))")
        }
        let curves: BanditCurves
        let epsilon = h["epsilon"] ?? 0.1
        func experiment<A: BanditAgent>(_ make: @escaping () -> A) -> BanditCurves {
            runBanditExperiment(runs: runs, steps: episodes, seed: seed, environment: { bandit },
                                optimalAction: { $0.optimalAction }, agent: make)
        }
        switch agent {
        case "epsilon-greedy": curves = experiment { EpsilonGreedyBandit(arms: arms, epsilon: epsilon, stepSize: h["alpha"], initialValue: h["q1"] ?? 0) }
        case "ucb": curves = experiment { UCBBandit(arms: arms, c: h["c"] ?? 2) }
        case "gradient-bandit": curves = experiment { GradientBandit(arms: arms, alpha: h["alpha"] ?? 0.1, baseline: (h["baseline"] ?? 1) != 0) }
        default: curves = experiment { ThompsonSampling(arms: arms, likelihood: bernoulli ? .bernoulli : .gaussian) }
        }
        try report(curves)
    }

    /// LinUCB on the contextual bandit: per step the mean reward and the fraction of runs that
    /// pulled the arm with the best expected payoff for the context shown.
    func runLinUCB(_ environment: any DynamicEnvironment, _ h: [String: Double]) throws {
        guard let contextual = environment as? TimeLimit<ContextualLinearBandit> else {
            throw UserError("linucb needs ContextualBandit-v0 (got \(env))")
        }
        var curves = BanditCurves(meanReward: Array(repeating: 0, count: episodes), optimalActionFraction: Array(repeating: 0, count: episodes))
        for run in 0..<runs {
            var bandit = contextual.base
            var context = bandit.reset(seed: seed &+ UInt64(run)).map(Double.init)
            var learner = LinUCB(arms: bandit.arms, dimension: bandit.dimension, alpha: h["alpha"] ?? 1)
            var generator = RandomGenerator(seed: seed &+ UInt64(run) &+ 7_919)
            for t in 0..<episodes {
                let arm = learner.selectArm(context: context, using: &generator)
                if arm == bandit.optimalAction { curves.optimalActionFraction[t] += 1 / Double(runs) }
                let step = bandit.step(arm)
                learner.update(arm: arm, context: context, reward: step.reward)
                curves.meanReward[t] += step.reward / Double(runs)
                context = step.observation.map(Double.init)
            }
        }
        try report(curves)
    }

    func report(_ curves: BanditCurves) throws {
        let tail = curves.average(Swift.max(1, episodes - 99)...episodes)
        log("\(agent): last 100 steps mean reward \(String(format: "%.3f", tail.reward)), optimal action \(String(format: "%.1f", 100 * tail.optimal)) %")
        if json {
            try printJSON(["env": env, "agent": agent, "runs": runs, "mean_reward": curves.meanReward,
                           "optimal_action_fraction": curves.optimalActionFraction])
        } else {
            print("\(agent) on \(env) (\(runs) runs × \(episodes) steps): mean reward \(String(format: "%.3f", tail.reward)), optimal action \(String(format: "%.1f", 100 * tail.optimal)) % over the last 100 steps")
        }
    }
}
