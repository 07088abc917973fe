import Agents
import ArgumentParser
import Environments
import Foundation
import RL
import Tensor

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
            Deep agents: ppo, a2c, reinforce, dqn, double-dqn, sac, td3, ddpg, gcbc (goal tasks), and offline from --dataset
            bc, cql, bcq, iql, td3_bc (steps are gradient steps; the environment only evaluates), model-based pets (CartPoleContinuous-v0,
            Pendulum-v1: a learned ensemble and CEM planning; steps are real steps, trials of trial_length) and mbpo (SAC on
            the ensemble's short rollouts; the same environments), with Stable-Baselines3's hyper-parameter names
            (--set learning_rate=lin_1e-3 --set n_steps=64 …), SB3's defaults or --preset zoo, --config FILE.json;
            --out DIR keeps config.json, metrics.csv/.jsonl and checkpoint.safetensors; --resume DIR continues;
            --eval-freq N evaluates every N steps (--eval-episodes, deterministic) and keeps best.safetensors;
            --json prints eval_mean, eval_std, success_rate (goal tasks), steps, wall_s, steps_per_s, run_dir.
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
    @Option(help: "Deep agents: run directory for config, metrics and checkpoints (default: a new runs/AGENT_ENV_N).") var out: String?
    @Option(help: "Deep agents: continue the run in this directory from its last checkpoint.") var resume: String?
    @Option(help: "Deep agents: also checkpoint every N steps (0: only at the end).") var checkpointEvery = 50_000
    @Option(help: "Independent bandit tasks to average over.") var runs = 1
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(name: .customLong("set"), help: "Hyper-parameter name=value (repeatable).") var settings: [String] = []
    @Option(help: "Offline agents (bc, cql, bcq, iql, td3_bc): the dataset, a Minari folder or a D4RL-style .npz (sets dataset=ABSOLUTE PATH).")
    var dataset: String?
    @Option(help: "Evaluation episodes (default 100 tabular, 20 deep, 3 pets; deep agents: periodic evaluations too).") var evalEpisodes: Int?
    @Option(help: "Deep agents: evaluate the deterministic policy every N steps and keep the best as best.safetensors (0: never).")
    var evalFreq = 0
    @Flag(help: "Deep agents: let --out replace the run a folder already holds.") var overwrite = false
    @Flag(help: "No progress line on stderr.") var quiet = false
    @Flag(help: "Print one JSON document.") var json = false

    static let tabularAgents = TabularAgents.ids
    static let banditAgents = BanditExperiments.ids

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
        guard (1...TabularAgents.maxEpisodes).contains(episodes) else { throw ValidationError("--episodes must be in 1…\(TabularAgents.maxEpisodes)") }
        guard (1...BanditExperiments.maxRuns).contains(runs) else { throw ValidationError("--runs must be in 1…\(BanditExperiments.maxRuns)") }
        guard (0...1_000_000).contains(evalEpisodes ?? 0) else { throw ValidationError("--eval-episodes must be in 0…1000000") }
        guard (1...Limits.steps).contains(steps ?? 1) else { throw ValidationError("--steps must be in 1…\(Limits.steps)") }
        guard (0...Limits.steps).contains(checkpointEvery) else { throw ValidationError("--checkpoint-every must be in 0…\(Limits.steps)") }
        guard (0...Limits.steps).contains(evalFreq) else { throw ValidationError("--eval-freq must be in 0…\(Limits.steps)") }
        guard evalFreq == 0 || (evalEpisodes ?? 1) >= 1 else { throw ValidationError("--eval-freq needs --eval-episodes ≥ 1") }
        if !isDeep && evalFreq != 0 { throw ValidationError("--eval-freq is for the deep agents (\(DeepAgents.ids.joined(separator: ", ")))") }
        if resume != nil && (!env.isEmpty || !agent.isEmpty || steps != nil || config != nil || preset != "default" || evalFreq != 0
                             || !settings.isEmpty || out != nil || !environmentOptions.pairs.isEmpty) {
            throw ValidationError("--resume continues a run with its own configuration; drop --env, --agent, --steps, --preset, --config, --set, --eval-freq and --out")
        }
        if overwrite && out == nil { throw ValidationError("--overwrite goes with --out DIR") }
        if dataset != nil && (resume != nil || !isDeep) { throw ValidationError("--dataset is for a new run of an offline agent (bc, cql, bcq, iql, td3_bc)") }
        if !isDeep && (steps != nil || out != nil || config != nil || preset != "default") {
            throw ValidationError("--steps, --preset, --config and --out are for the deep agents (\(DeepAgents.ids.joined(separator: ", ")))")
        }
    }

    func run() throws {
        if isDeep { return try runDeep() }
        let environment = try environmentOptions.make(env)
        if Self.banditAgents.contains(agent) { return try runBandit(environment) }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try TabularAgents.train(agent, on: environment, episodes: episodes, seed: seed, settings: settings)
        log(result.summary)
        // Greedy evaluation on a fresh environment: undiscounted return per episode, capped at 10 000 steps.
        let evalReturns = TabularAgents.evaluateGreedy(result.policy, on: try environmentOptions.make(env),
                                                       episodes: evalEpisodes ?? 100, seed: seed &+ 1_000_003)
        let evalMean = evalReturns.isEmpty ? Double.nan : evalReturns.reduce(0, +) / Double(evalReturns.count)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        log("greedy policy: mean return \(String(format: "%.4f", evalMean)) over \(evalReturns.count) episodes (\(String(format: "%.2f", wall)) s)")
        if json {
            try printJSON(["env": env, "agent": agent, "seed": seed, "episode_returns": result.episodeReturns, "values": result.values,
                           "policy": result.policy, "eval_mean": evalMean.isNaN ? NSNull() : evalMean as Any, "wall_s": wall])
        } else {
            print("\(agent) on \(env): greedy evaluation mean return \(String(format: "%.4f", evalMean))")
            if let model = environment.tabularModel, model.stateCount <= 256 {
                print("policy: " + result.policy.map(String.init).joined(separator: " "))
            }
        }
    }

    func runBandit(_ environment: any DynamicEnvironment) throws {
        let curves = try BanditExperiments.run(agent, on: environment, runs: runs, steps: episodes, seed: seed, settings: settings)
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
