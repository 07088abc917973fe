import Agents
import ArgumentParser
import Environments
import Foundation
import RL
import Tensor

/// One row of the classic-control table: an agent on an environment with the zoo's budget,
/// the zoo's published score (rl-baselines3-zoo `benchmark.md`, deterministic evaluation of the
/// best model its EvalCallback kept) and the target.
struct ClassicEntry {
    /// What a row must reach: the final policies' mean over seeds, or the best model on every seed.
    enum Target {
        case finalMean(Double)
        case bestOnEverySeed(Double)
    }

    let env: String
    let agent: String
    let published: (mean: Double, std: Double)?
    let target: Target?

    var id: String { "\(env)/\(agent)" }

    static let all: [ClassicEntry] = [
        .init(env: "CartPole-v1", agent: "ppo", published: (500, 0), target: .finalMean(475)),
        .init(env: "CartPole-v1", agent: "a2c", published: (500, 0), target: .finalMean(450)),
        .init(env: "CartPole-v1", agent: "dqn", published: (500, 0), target: .bestOnEverySeed(475)),
        .init(env: "CartPole-v1", agent: "reinforce", published: nil, target: nil),
        .init(env: "Acrobot-v1", agent: "ppo", published: (-73.5, 18.2), target: .finalMean(-100)),
        .init(env: "Acrobot-v1", agent: "a2c", published: (-83.4, 17.2), target: nil),
        .init(env: "Acrobot-v1", agent: "dqn", published: (-76.6, 11.8), target: nil),
        .init(env: "MountainCar-v0", agent: "dqn", published: (-100.8, 9.9), target: .finalMean(-130)),
        .init(env: "Pendulum-v1", agent: "ppo", published: (-172.2, 104.2), target: .finalMean(-300)),
    ]

    /// Periodic evaluations per run (the zoo evaluates every 25 000 steps whatever the budget;
    /// ours are cheap, so twenty per budget) and their episodes.
    static let evaluationsPerRun = 20, episodesPerEvaluation = 10
}

/// What one seed of one entry gave: the final policy's score and the best model's, both by the
/// same 20 deterministic episodes on the environment seeded 10 000 + seed.
struct ClassicRun: Codable {
    var env: String, agent: String, seed: UInt64
    var steps: Int, wallSeconds: Double
    var evalMean: Double, evalStd: Double
    var bestMean: Double, bestStd: Double, bestSteps: Int
    var curve: [CurvePoint]
}

extension Bench {
    struct Classic: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "PPO, A2C, DQN and REINFORCE on classic control with the zoo's budgets; writes Results/classic/.",
            discussion: """
                Each run trains with --preset zoo on seed 0, 1, … with 20 periodic evaluations (10 deterministic \
                episodes each, the best model kept, as the zoo's EvalCallback); the final policy and the best model are \
                each scored by 20 deterministic episodes on a freshly seeded environment. The table gives both as \
                mean ± std over seeds, the interquartile mean with a stratified-bootstrap 95 % interval, the zoo's \
                published score, wall time and steps/s.
                """
        )
        @Option(help: "Seeds per entry (default 5; 3 with --quick).") var seeds: Int?
        @Flag(help: "CartPole-v1 only (PPO, A2C, DQN, REINFORCE), for the README's main command.") var quick = false
        @Option(help: "Only these entries, comma-separated: ENV or ENV/AGENT (e.g. CartPole-v1/ppo).") var only: String?
        @Option(help: "Output folder (default Results/classic, or Results/classic-quick with --quick).") var output: String?
        @Flag(help: "Print one JSON document with every run and the table rows.") var json = false

        func validate() throws {
            guard (seeds ?? 1) >= 1 else { throw ValidationError("--seeds must be at least 1") }
        }

        func selectedEntries() throws -> [ClassicEntry] {
            var entries = quick ? ClassicEntry.all.filter { $0.env == "CartPole-v1" } : ClassicEntry.all
            if let only {
                let filters = only.split(separator: ",").map(String.init)
                for filter in filters where !ClassicEntry.all.contains(where: { $0.id == filter || $0.env == filter }) {
                    throw UserError("unknown entry '\(filter)'; entries: \(ClassicEntry.all.map(\.id).joined(separator: ", "))")
                }
                entries = entries.filter { e in filters.contains { $0 == e.id || $0 == e.env } }
            }
            return entries
        }

        func run() throws {
            let entries = try selectedEntries()
            let seedCount = seeds ?? (quick ? 3 : 5)
            let folder = URL(fileURLWithPath: output ?? (quick ? "Results/classic-quick" : "Results/classic"))
            var runs: [ClassicRun] = []
            for entry in entries {
                let hyperparameters = try DeepAgents.configuration(agent: entry.agent, environmentID: entry.env,
                                                                   recipe: .init(preset: "zoo"))
                let budget = (try JSONSerialization.jsonObject(with: Data(hyperparameters.utf8)) as? [String: Any])?["n_timesteps"] as? Int ?? 100_000
                for seed in 0..<UInt64(seedCount) {
                    let configuration = RunConfiguration(agent: entry.agent, env: entry.env, envOptions: [:], seed: seed,
                                                         totalSteps: budget, checkpointEvery: 0, hyperparameters: hyperparameters,
                                                         evalFreq: Swift.max(1, budget / ClassicEntry.evaluationsPerRun),
                                                         evalEpisodes: ClassicEntry.episodesPerEvaluation)
                    var trainer = DeepTrainer(configuration: configuration, directory: nil)
                    trainer.showsProgress = false
                    trainer.finalEpisodes = 20
                    let s = try trainer.run()
                    let best = s.best ?? (s.evaluation, s.steps)
                    runs.append(ClassicRun(env: entry.env, agent: entry.agent, seed: seed, steps: s.steps, wallSeconds: s.wallSeconds,
                                           evalMean: s.evaluation.mean, evalStd: s.evaluation.standardDeviation,
                                           bestMean: best.evaluation.mean, bestStd: best.evaluation.standardDeviation,
                                           bestSteps: best.steps, curve: s.curve))
                    log(String(format: "athanor bench classic: %@ seed %llu: final %.1f ± %.1f, best %.1f ± %.1f (at %d steps) in %.1f s",
                               entry.id, seed, s.evaluation.mean, s.evaluation.standardDeviation, best.evaluation.mean,
                               best.evaluation.standardDeviation, best.steps, s.wallSeconds))
                }
            }
            let randomScores = try Dictionary(uniqueKeysWithValues: Set(entries.map(\.env)).map { ($0, try randomScore($0)) })
            let report = ClassicReport(entries: entries, runs: runs, randomScores: randomScores, quick: quick, seeds: seedCount)
            try report.write(to: folder)
            if json {
                try printJSON(["rows": report.rows.map(\.json), "aggregates": report.aggregates.map(\.json),
                               "runs": runs.map { ["env": $0.env, "agent": $0.agent, "seed": $0.seed, "steps": $0.steps,
                                                   "wall_s": $0.wallSeconds, "eval_mean": $0.evalMean, "eval_std": $0.evalStd,
                                                   "best_mean": $0.bestMean, "best_std": $0.bestStd, "best_steps": $0.bestSteps] as [String: Any] },
                               "machine": Provenance.current.json])
            } else {
                print(report.markdownTable())
                print("tables in \(folder.path)/")
            }
        }

        /// The mean return of uniformly random actions, for normalising scores across tasks.
        func randomScore(_ env: String) throws -> Double {
            let environment = try environments.make(env)
            var generator = RandomGenerator(seed: 1)
            let space = environment.actionSpace
            return try evaluatePolicy(on: environment, episodes: 20, seed: 10_000) { _ in
                switch space {
                case .discrete(let n): [Float(generator.nextInt(below: n))]
                case .box(let low, let high, _): zip(low, high).map { Float($0 + ($1 - $0) * generator.nextUniformDouble()) }
                case .multiBinary(let n): (0..<n).map { _ in Float(generator.nextInt(below: 2)) }
                }
            }.mean
        }
    }
}
