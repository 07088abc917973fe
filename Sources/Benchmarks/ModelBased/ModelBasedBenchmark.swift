import Agents
import Environments
import Foundation
import RL
import Tensor
import Threads
import Training

/// One run of `bench model-based`: an agent trained on an environment for a budget of real
/// steps, with the return of every training episode (a PETS trial) and of periodic
/// deterministic evaluations, each against the real steps taken so far.
public struct ModelBasedRun: Codable, Sendable {
    public var agent: String, environment: String, seed: UInt64
    public var steps: Int, wallSeconds: Double
    public var episodeSteps: [Int], episodeReturns: [Double]
    public var evaluationSteps: [Int], evaluationReturns: [Double]
    /// True where `episodeSteps` holds finished episodes only. Absent (nil) in runs recorded before PETS stopped
    /// reporting the trial that the budget cut short: their last trial may be that one (the report leaves it out).
    public var finishedEpisodesOnly: Bool?
    public init(agent: String, environment: String, seed: UInt64, steps: Int, wallSeconds: Double, episodeSteps: [Int], episodeReturns: [Double],
                evaluationSteps: [Int], evaluationReturns: [Double], finishedEpisodesOnly: Bool? = true) {
        (self.agent, self.environment, self.seed, self.steps, self.wallSeconds) = (agent, environment, seed, steps, wallSeconds)
        (self.episodeSteps, self.episodeReturns, self.evaluationSteps, self.evaluationReturns) = (episodeSteps, episodeReturns, evaluationSteps, evaluationReturns)
        self.finishedEpisodesOnly = finishedEpisodesOnly
    }

    /// The best evaluation (or, without evaluations, the best episode).
    public var best: Double { (evaluationReturns.isEmpty ? episodeReturns : evaluationReturns).max() ?? -.infinity }
}

/// Records what `ModelBasedRun` keeps, after every iteration of `learn`.
final class CurveRecorder: TrainingCallback {
    let every: Int?, environment: EnvironmentReference, seed: UInt64
    var episodeSteps: [Int] = [], episodeReturns: [Double] = [], evaluationSteps: [Int] = [], evaluationReturns: [Double] = []

    init(every: Int?, environment: EnvironmentReference, seed: UInt64) { (self.every, self.environment, self.seed) = (every, environment, seed) }

    func afterIteration(_ iteration: Iteration) throws -> [(name: String, value: Double)] {
        for episode in iteration.report.episodes {
            episodeSteps.append(iteration.agent.stepsDone); episodeReturns.append(episode.totalReward)
        }
        if let every, iteration.agent.stepsDone / every > iteration.stepsBefore / every, let agent = iteration.agent as? any DeepAgent {
            // Ten deterministic episodes on a fresh environment, the same starts at every evaluation.
            let result = try evaluatePolicy(on: environment.make(), episodes: 10, seed: seed) { agent.act($0, deterministic: true) }
            evaluationSteps.append(iteration.agent.stepsDone); evaluationReturns.append(result.mean)
        }
        return []
    }
}

/// Model-based RL's claim is sample efficiency: the same return in far fewer real steps. This
/// benchmark puts PETS and MBPO beside SAC and PPO on the same environments, against real steps.
public enum ModelBasedBenchmark {
    /// reference: the published settings (hyperparams/pets.yml, mbpo.yml: MBRL-Lib's); reduced: PETS with
    /// 100 candidates, 5 particles and 64-unit layers (about a twentieth of the planning), the rest as reference.
    public enum Regime: String, Sendable, CaseIterable { case reference, reduced }

    /// One comparison: an agent on an environment, its settings over `--preset zoo`, and how often it is evaluated.
    public struct Entry: Sendable {
        public var agent: String, environment: String, steps: Int?, settings: [String], evaluateEvery: Int?
        public var label: String { "\(agent) on \(environment)" }
    }

    public static func entries(_ regime: Regime) -> [Entry] {
        let reduced = regime == .reduced
        return [
            // CartPoleContinuous-v0: PETS' own trials are its curve (each a 200-step episode, deterministic planning).
            Entry(agent: "pets", environment: "CartPoleContinuous-v0", steps: nil,
                  settings: reduced ? ["population_size=100", "num_particles=5", "hidden_size=64", "epochs=20"] : [], evaluateEvery: nil),
            Entry(agent: "mbpo", environment: "CartPoleContinuous-v0", steps: reduced ? 2000 : nil, settings: [], evaluateEvery: 200),
            Entry(agent: "sac", environment: "CartPoleContinuous-v0", steps: 20_000, settings: [], evaluateEvery: 1000),
            Entry(agent: "ppo", environment: "CartPoleContinuous-v0", steps: 100_000, settings: [], evaluateEvery: 5000),
            // Pendulum-v1: PETS' 200-step trials; MBPO with a fifth of the zoo's SAC budget, and that SAC.
            Entry(agent: "pets", environment: "Pendulum-v1", steps: nil,
                  settings: reduced ? ["population_size=100", "num_particles=5", "hidden_size=64", "epochs=20"] : [], evaluateEvery: nil),
            Entry(agent: "mbpo", environment: "Pendulum-v1", steps: nil, settings: [], evaluateEvery: 200),
            Entry(agent: "sac", environment: "Pendulum-v1", steps: nil, settings: [], evaluateEvery: 1000),
        ]
    }

    /// The agents with a `--preset zoo` entry for the environment use it; the others their defaults.
    public static func run(_ entry: Entry, seed: UInt64) throws -> ModelBasedRun {
        let reference = EnvironmentReference(entry.environment)
        let preset = (try? DeepAgents.configuration(agent: entry.agent, environmentID: entry.environment, recipe: .init(preset: "zoo"))) != nil ? "zoo" : "default"
        let config = try DeepAgents.configuration(agent: entry.agent, environmentID: entry.environment,
                                                  recipe: .init(preset: preset, settings: entry.settings))
        let agent = try DeepAgents.make(agent: entry.agent, configuration: config, environment: reference.make(), seed: seed, totalSteps: entry.steps)
        let recorder = CurveRecorder(every: entry.evaluateEvery, environment: reference, seed: 20_000 + seed)
        let summary = try agent.learn(callbacks: [recorder])
        return ModelBasedRun(agent: entry.agent, environment: entry.environment, seed: seed, steps: summary.steps, wallSeconds: summary.wallSeconds,
                             episodeSteps: recorder.episodeSteps, episodeReturns: recorder.episodeReturns,
                             evaluationSteps: recorder.evaluationSteps, evaluationReturns: recorder.evaluationReturns)
    }

    /// sgemm 512³ GFLOP/s with OpenBLAS on `threads` threads (nil: every usable core): one thread is what each of
    /// `learn`'s cores does with its share of the planner's products.
    public static func sgemmGFLOPS(threads: Int? = 1) -> Double {
        let previous = BLAS.threadCount
        BLAS.setThreadCount(threads ?? Cores.usable)
        defer { BLAS.setThreadCount(previous) }
        return PerfBenchmarks.sgemm(calls: 50).raw
    }

    /// Ensemble rows one planned real step evaluates: iterations × population × particles × horizon.
    public static func planningRows(_ entry: Entry) throws -> Int {
        let config = try DeepAgents.configuration(agent: "pets", environmentID: entry.environment, recipe: .init(preset: "zoo", settings: entry.settings))
        guard let pets = config as? PETSHyperparameters else { return 0 }
        return pets.numIterations * pets.populationSize * pets.numParticles * pets.planningHorizon
    }

    /// MBRL-Lib's PETS runs (`../shared/anchors/peers/pets_results.jsonl`: seed, trial, reward, plan_s_per_step).
    public static func peerTrials(_ url: URL) -> [(seed: Int, trial: Int, reward: Double, planSecondsPerStep: Double)] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let seed = object["seed"] as? Int, let trial = object["trial"] as? Int, let reward = object["reward"] as? Double,
                  let plan = object["plan_s_per_step"] as? Double else { return nil }
            return (seed, trial, reward, plan)
        }
    }
}
