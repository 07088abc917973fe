import Agents
import Environments
import Foundation
import RL
import Random
import Training

/// One row of the classic-control table: an agent on an environment with the zoo's budget,
/// the zoo's published score (rl-baselines3-zoo `benchmark.md`, deterministic evaluation of the
/// best model its EvalCallback kept) and the target.
public struct ClassicEntry: Sendable {
    /// What a row must reach: the final policies' mean over seeds, or the best model on every seed.
    public enum Target: Sendable {
        case finalMean(Double)
        case bestOnEverySeed(Double)
        /// The best models' mean over seeds (the zoo's protocol), e.g. within one std of its score.
        case bestMean(Double)
    }

    public let env: String
    public let agent: String
    public let published: (mean: Double, std: Double)?
    public let target: Target?

    public var id: String { "\(env)/\(agent)" }

    public static let all: [ClassicEntry] = [
        .init(env: "CartPole-v1", agent: "ppo", published: (500, 0), target: .finalMean(475)),
        .init(env: "CartPole-v1", agent: "a2c", published: (500, 0), target: .finalMean(450)),
        .init(env: "CartPole-v1", agent: "dqn", published: (500, 0), target: .bestOnEverySeed(475)),
        .init(env: "CartPole-v1", agent: "reinforce", published: nil, target: nil),
        .init(env: "Acrobot-v1", agent: "ppo", published: (-73.5, 18.2), target: .finalMean(-100)),
        .init(env: "Acrobot-v1", agent: "a2c", published: (-83.4, 17.2), target: nil),
        .init(env: "Acrobot-v1", agent: "dqn", published: (-76.6, 11.8), target: nil),
        .init(env: "MountainCar-v0", agent: "dqn", published: (-100.8, 9.9), target: .finalMean(-130)),
        .init(env: "Pendulum-v1", agent: "ppo", published: (-172.2, 104.2), target: .finalMean(-300)),
        // Off-policy agents: within one of the zoo's standard deviations of its score.
        .init(env: "Pendulum-v1", agent: "sac", published: (-157.0, 88.7), target: .bestMean(-157.0 - 88.7)),
        .init(env: "Pendulum-v1", agent: "td3", published: (-151.9, 90.2), target: .bestMean(-151.9 - 90.2)),
        .init(env: "Pendulum-v1", agent: "ddpg", published: (-152.1, 94.3), target: .bestMean(-152.1 - 94.3)),
        // SAC with gSDE, the zoo's 5e4 steps: under a minute a seed here.
        .init(env: "MountainCarContinuous-v0", agent: "sac", published: (94.7, 1.1), target: .bestMean(90)),
        // 3e5 gradient steps each at SB3's network size: about 34 minutes a seed on both cores here.
        .init(env: "MountainCarContinuous-v0", agent: "td3", published: (93.5, 0.1), target: .bestMean(90)),
        .init(env: "MountainCarContinuous-v0", agent: "ddpg", published: (93.5, 0.0), target: .bestMean(90)),
    ]

    /// Periodic evaluations per run (the zoo evaluates every 25 000 steps whatever the budget;
    /// ours are cheap, so twenty per budget) and their episodes.
    public static let evaluationsPerRun = 20, episodesPerEvaluation = 10
}

/// What one seed of one entry gave: the final policy's score and the best model's, both by the
/// same 20 deterministic episodes on the environment seeded 10 000 + seed.
public struct ClassicRun: Codable, Sendable {
    public var env: String, agent: String, seed: UInt64
    public var steps: Int, wallSeconds: Double
    public var evalMean: Double, evalStd: Double
    public var bestMean: Double, bestStd: Double, bestSteps: Int
    /// The training curve's change points (`changePoints`): what the report's plot reads.
    public var curve: [CurvePoint]
}

/// Stable-Baselines3 trained on the same entry and seed by the anchors' `sb3_train.py` (the zoo's
/// settings, PyTorch on one thread): its time in `learn()` and its deterministic evaluation.
public struct ClassicPeerRun: Codable, Sendable {
    public var env: String, agent: String, seed: UInt64
    public var steps: Int, learnSeconds: Double, evalMean: Double
    public var versions: String
}

/// `athanor bench classic`: every selected entry trained with `--preset zoo` on seeds 0, 1, …
/// with the zoo's evaluation protocol, the final policy and the best model each scored by 20
/// deterministic episodes on the environment seeded 10 000 + seed.
public enum ClassicBenchmark {
    /// The entries named by `only` (ENV or ENV/AGENT, comma-separated), of CartPole-v1 alone with `quick`.
    public static func entries(only: String?, quick: Bool) throws -> [ClassicEntry] {
        var entries = quick ? ClassicEntry.all.filter { $0.env == "CartPole-v1" } : ClassicEntry.all
        if let only {
            let filters = only.split(separator: ",").map(String.init)
            for filter in filters where !ClassicEntry.all.contains(where: { $0.id == filter || $0.env == filter }) {
                throw BenchmarkError("unknown entry '\(filter)'; entries: \(ClassicEntry.all.map(\.id).joined(separator: ", "))")
            }
            entries = entries.filter { e in filters.contains { $0 == e.id || $0 == e.env } }
        }
        return entries
    }

    /// Trains and scores one seed of one entry.
    public static func run(_ entry: ClassicEntry, seed: UInt64) throws -> ClassicRun {
        try run(agent: entry.agent, environment: EnvironmentReference(entry.env), recipe: .init(preset: "zoo"), seed: seed)
    }

    /// The table's protocol for any agent, environment and settings: `evaluations` periodic evaluations
    /// of `episodesPerEvaluation` deterministic episodes keep the best model; the final policy and the
    /// best model are then each scored by `finalEpisodes` episodes on the environment seeded 10 000 + seed.
    /// With a run directory the run keeps its checkpoints, metrics and best model there, and a run
    /// directory that holds a checkpoint is continued from it (the result equals an uninterrupted run).
    public static func run(agent name: String, environment: EnvironmentReference, recipe: DeepAgents.Recipe, seed: UInt64,
                           steps: Int? = nil, evaluations: Int = ClassicEntry.evaluationsPerRun,
                           episodesPerEvaluation: Int = ClassicEntry.episodesPerEvaluation, finalEpisodes: Int = 20,
                           run: RunDirectory? = nil, checkpointEvery: Int = 0,
                           callbacks: [any TrainingCallback] = []) throws -> ClassicRun {
        let agent: any DeepAgent
        if let run, run.hasCheckpoint {
            agent = try DeepAgents.load(from: run)
        } else {
            let hyperparameters = try DeepAgents.configuration(agent: name, environmentID: environment.id, recipe: recipe)
            agent = try DeepAgents.make(agent: name, configuration: hyperparameters, environment: environment.make(), seed: seed,
                                        totalSteps: steps)
        }
        let configuration = RunConfiguration(of: agent, environment: environment)
        let evaluator = EvalCallback(every: Swift.max(1, agent.totalSteps / evaluations),
                                     episodes: episodesPerEvaluation, seed: configuration.periodicEvaluationSeed,
                                     environment: environment)
        // A folder left without a checkpoint (killed before its first one) starts over.
        let directory = run.map { $0.hasCheckpoint ? $0 : RunDirectory(url: $0.url, environment: environment, overwrite: true) }
        let summary = try agent.learn(run: directory, checkpointEvery: checkpointEvery, callbacks: [evaluator] + callbacks)
        func score(_ agent: any DeepAgent) throws -> EvaluationResult {
            try evaluatePolicy(on: environment.make(), episodes: finalEpisodes, seed: configuration.finalEvaluationSeed) {
                agent.act($0, deterministic: true)
            }
        }
        let final = try score(agent)
        let best = try evaluator.bestAgent(configuration: configuration).map(score) ?? final
        return ClassicRun(env: environment.label, agent: name, seed: seed, steps: summary.steps, wallSeconds: summary.wallSeconds,
                          evalMean: final.mean, evalStd: final.standardDeviation, bestMean: best.mean, bestStd: best.standardDeviation,
                          bestSteps: evaluator.best?.steps ?? summary.steps, curve: summary.curve.changePoints)
    }

    /// The entries Stable-Baselines3 trains with the same settings: SAC and TD3 on Pendulum-v1 by the anchors'
    /// `sb3_train.py`, the off-policy agents on MountainCarContinuous-v0 by `scripts/sb3_zoo_peer.py`.
    public static func hasPeer(_ entry: ClassicEntry) -> Bool {
        (entry.env == "Pendulum-v1" && ["sac", "td3"].contains(entry.agent)) || entry.env == "MountainCarContinuous-v0"
    }

    /// Stable-Baselines3 on `entry` with `seed`, run with `python` (default ~/.venvs/anchors/bin/python, else
    /// python3): the anchors' script where it has the entry, else ours, which reads the same hyperparams/ file
    /// as `--preset zoo` (from the package folder, the current directory).
    public static func peerRun(_ entry: ClassicEntry, seed: UInt64, anchors: String, python: String?) throws -> ClassicPeerRun {
        let interpreter = anchorsInterpreter(python)
        let figures: TrainingBenchmarks.Figures, versions: String
        if entry.env == "Pendulum-v1" {
            (figures, versions) = try TrainingBenchmarks.stableBaselines(entry.agent, seed: seed, anchors: anchors, interpreter: interpreter)
        } else {
            let script = URL(fileURLWithPath: "scripts/sb3_zoo_peer.py").standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: script) else {
                throw BenchmarkError("no scripts/sb3_zoo_peer.py here: run bench classic --anchors from the package folder")
            }
            (figures, versions) = try TrainingBenchmarks.stableBaselines(script: script, arguments: [entry.agent, entry.env, "\(seed)"],
                                                                         interpreter: interpreter)
        }
        return ClassicPeerRun(env: entry.env, agent: entry.agent, seed: seed, steps: figures.steps, learnSeconds: figures.seconds,
                              evalMean: figures.evalMean, versions: versions)
    }

    /// The mean return of uniformly random actions, for normalising scores across tasks.
    public static func randomScore(_ env: String) throws -> Double {
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
