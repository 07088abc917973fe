import NN
import RL

/// rl-baselines3-zoo's evaluation protocol (SB3's `EvalCallback`): every `every` environment
/// steps the current policy plays `episodes` deterministic episodes on an environment of its
/// own, and the best of these evaluations is kept. The zoo's published scores are those of the
/// best model, so a late collapse (DQN on CartPole shows one on some seeds, SB3's own DQN too)
/// does not decide them.
///
/// Each evaluation resets a fresh environment with the same `seed`, so every candidate plays
/// the same episodes; acting deterministically draws nothing from the agent's generator, so
/// training continues exactly as without evaluations.
public struct PeriodicEvaluation {
    public let every: Int
    public let episodes: Int
    public let seed: UInt64
    let makeEnvironment: () throws -> any DynamicEnvironment

    /// The best mean return so far and the steps at which it was reached.
    public var best: (mean: Double, steps: Int)?

    public init(every: Int, episodes: Int, seed: UInt64, environment: @escaping () throws -> any DynamicEnvironment) {
        precondition(every > 0 && episodes > 0, "evaluate every ≥ 1 steps, ≥ 1 episodes")
        (self.every, self.episodes, self.seed, self.makeEnvironment) = (every, episodes, seed, environment)
    }

    /// The evaluation the agent is due for, if it has passed a multiple of `every` since `previousSteps`.
    public func isDue(after previousSteps: Int, now steps: Int) -> Bool {
        steps / every > previousSteps / every
    }

    /// Evaluates `agent` now; `isBest` when it beats every earlier evaluation.
    public mutating func evaluate(_ agent: any DeepAgent) throws -> (result: EvaluationResult, isBest: Bool) {
        let result = try evaluatePolicy(on: makeEnvironment(), episodes: episodes, seed: seed) {
            agent.act($0, deterministic: true)
        }
        let isBest = best.map { result.mean > $0.mean } ?? true
        if isBest { best = (result.mean, agent.stepsDone) }
        return (result, isBest)
    }
}
