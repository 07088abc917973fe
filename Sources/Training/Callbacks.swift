import Agents
import Foundation
import NN
import RL

/// What the training loop tells its callbacks after each iteration.
public struct Iteration {
    public let agent: any Trainable
    public let report: TrainingReport
    /// Environment steps before this iteration (the agent's `stepsDone` is after it).
    public let stepsBefore: Int
    /// Where the run trains to.
    public let totalSteps: Int
    /// Seconds of training so far, across resumptions.
    public let wallSeconds: Double
    /// `wallSeconds` when this iteration began.
    public let startWallSeconds: Double
    /// Mean return of the last 100 finished training episodes (NaN before the first).
    public let meanReturn: Double
    public let run: RunDirectory?
}

/// Something the training loop runs after every iteration, as Stable-Baselines3's callbacks.
/// The metrics it returns join the iteration's row; a callback must return the same names
/// every time (NaN where it has nothing to say), so that `metrics.csv` keeps its columns.
public protocol TrainingCallback: AnyObject {
    func afterIteration(_ iteration: Iteration) throws -> [(name: String, value: Double)]
    /// What to keep in the checkpoint so that a resumed run carries on exactly.
    func state() -> [String: String]
    func restore(state: [String: String])
}

extension TrainingCallback {
    public func state() -> [String: String] { [:] }
    public func restore(state: [String: String]) {}
}

/// rl-baselines3-zoo's evaluation protocol (SB3's `EvalCallback`): every `every` environment
/// steps the policy plays `episodes` deterministic episodes on an environment of its own, logs
/// `eval/mean_reward`, and the best model so far is kept — in the run directory as
/// `best.safetensors`, or in `bestCheckpoint`. The zoo publishes its best models' scores, so a
/// late collapse (DQN's final CartPole policy collapses on some seeds, SB3's own too) does not
/// decide them.
///
/// Each evaluation resets a fresh environment with the same `seed`, so every candidate plays
/// the same episodes; acting deterministically draws nothing from the agent's generator, so
/// training goes on exactly as without evaluations.
public final class EvalCallback: TrainingCallback {
    public let every: Int
    public let episodes: Int
    public let seed: UInt64
    let makeEnvironment: () throws -> any DynamicEnvironment

    /// The best mean return so far and the steps at which it was reached.
    public private(set) var best: (mean: Double, steps: Int)?
    /// The best model, when there is no run directory to keep it in.
    public private(set) var bestCheckpoint: SafeTensors?
    private var lastRun: RunDirectory?

    public init(every: Int, episodes: Int = 10, seed: UInt64, environment: @escaping () throws -> any DynamicEnvironment) {
        precondition(every > 0 && episodes > 0, "evaluate every ≥ 1 steps, for ≥ 1 episodes")
        (self.every, self.episodes, self.seed, self.makeEnvironment) = (every, episodes, seed, environment)
    }

    public convenience init(every: Int, episodes: Int = 10, seed: UInt64, environment: EnvironmentReference) {
        self.init(every: every, episodes: episodes, seed: seed, environment: environment.make)
    }

    public convenience init(_ settings: EvaluationSettings, environment: EnvironmentReference) {
        self.init(every: settings.every, episodes: settings.episodes, seed: settings.seed, environment: environment.make)
    }

    public var settings: EvaluationSettings { EvaluationSettings(every: every, episodes: episodes, seed: seed) }

    /// The best model as an agent of `configuration` (the run's), or nil before any evaluation.
    public func bestAgent(configuration: RunConfiguration) throws -> (any DeepAgent)? {
        guard best != nil else { return nil }
        guard let checkpoint = try bestCheckpoint ?? lastRun.map({ try $0.checkpoint(best: true) }) else { return nil }
        let agent = try configuration.makeAgent()
        try agent.restore(from: checkpoint)
        return agent
    }

    /// Whether an iteration from `stepsBefore` to `steps` passed a multiple of `every`.
    public func isDue(after stepsBefore: Int, now steps: Int) -> Bool { steps / every > stepsBefore / every }

    /// Evaluates `agent` now; `isBest` when it beats every earlier evaluation.
    public func evaluate(_ agent: any DeepAgent) throws -> (result: EvaluationResult, isBest: Bool) {
        let result = try evaluatePolicy(on: makeEnvironment(), episodes: episodes, seed: seed) {
            try Interruption.stopIfRequested(during: "the evaluation at step \(agent.stepsDone)")
            return agent.act($0, deterministic: true)
        }
        let isBest = best.map { result.mean > $0.mean } ?? true
        if isBest { best = (result.mean, agent.stepsDone) }
        return (result, isBest)
    }

    public func afterIteration(_ iteration: Iteration) throws -> [(name: String, value: Double)] {
        var mean = Double.nan, std = Double.nan
        lastRun = iteration.run
        if isDue(after: iteration.stepsBefore, now: iteration.agent.stepsDone) {
            guard let agent = iteration.agent as? any DeepAgent else {
                throw TrainingError.unsupported("an EvalCallback evaluates deep RL agents in an environment, not \(iteration.agent.name)")
            }
            // A signal during the evaluation abandons it (nothing recorded); `learn` then checkpoints and stops.
            let evaluation: (result: EvaluationResult, isBest: Bool)
            do { evaluation = try evaluate(agent) } catch is EvaluationInterrupted { return [] }
            let (result, isBest) = evaluation
            (mean, std) = (result.mean, result.standardDeviation)
            if isBest {
                let checkpoint = try iteration.agent.checkpoint()
                if let run = iteration.run { try run.write(checkpoint, to: run.bestURL) } else { bestCheckpoint = checkpoint }
            }
        }
        return [("eval/mean_reward", mean), ("eval/std_reward", std), ("eval/best_mean_reward", best?.mean ?? .nan)]
    }

    public func state() -> [String: String] {
        guard let best else { return [:] }
        return ["eval.best_mean_reward": "\(best.mean)", "eval.best_steps": "\(best.steps)"]
    }

    public func restore(state: [String: String]) {
        if let mean = state["eval.best_mean_reward"].flatMap(Double.init), mean.isFinite,
           let steps = state["eval.best_steps"].flatMap(Int.init), steps >= 0 {
            best = (mean, steps)
        }
    }
}

/// Reports progress at most every `interval` seconds (and at the end) to `report`; the
/// library prints nothing itself.
public final class ProgressCallback: TrainingCallback {
    public struct Progress: Sendable {
        public let agent: String
        public let steps: Int, totalSteps: Int
        public let stepsPerSecond: Double
        public let meanReturn: Double
        public let secondsLeft: Double
        public var isFinished: Bool { steps >= totalSteps }
    }

    let interval: Double
    let report: (Progress) -> Void
    private var start: (steps: Int, wall: Double)?
    private var last = -Double.infinity

    public init(every interval: Double = 0.5, _ report: @escaping (Progress) -> Void) {
        (self.interval, self.report) = (interval, report)
    }

    public func afterIteration(_ iteration: Iteration) throws -> [(name: String, value: Double)] {
        let origin = start ?? (iteration.stepsBefore, iteration.startWallSeconds)
        start = origin
        let steps = iteration.agent.stepsDone
        guard iteration.wallSeconds - last > interval || steps >= iteration.totalSteps else { return [] }
        last = iteration.wallSeconds
        let rate = Double(steps - origin.steps) / Swift.max(iteration.wallSeconds - origin.wall, 1e-9)
        report(Progress(agent: iteration.agent.name, steps: steps, totalSteps: iteration.totalSteps, stepsPerSecond: rate,
                        meanReturn: iteration.meanReturn,
                        secondsLeft: Swift.max(0, Double(iteration.totalSteps - steps) / Swift.max(rate, 1e-9))))
        return []
    }
}
