/// On-policy storage for `steps` vector steps of `copies` environments, with generalised
/// advantage estimation (Schulman et al., 2016) as Stable-Baselines3 computes it.
///
/// Bootstrapping on truncation is the caller's part, as in SB3: when an episode is cut by a
/// time limit, add γ·V(final observation) to that step's reward before `add`; a terminated
/// episode adds nothing. `episodeStarts[t]` marks observations that begin an episode, so GAE
/// never looks across an episode boundary.
public struct RolloutBuffer {
    public let steps: Int, copies: Int, observationSize: Int, actionSize: Int
    public private(set) var observations: [Float]
    public private(set) var actions: [Float]
    public private(set) var rewards: [Float]
    public private(set) var episodeStarts: [Float]
    public private(set) var values: [Float]
    public private(set) var logProbabilities: [Float]
    public private(set) var advantages: [Float]
    public private(set) var returns: [Float]
    public private(set) var position = 0

    public init(steps: Int, copies: Int, observationSize: Int, actionSize: Int) {
        precondition(steps > 0 && copies > 0, "a rollout needs at least one step of one copy")
        (self.steps, self.copies, self.observationSize, self.actionSize) = (steps, copies, observationSize, actionSize)
        let n = steps * copies
        observations = Array(repeating: 0, count: n * observationSize)
        actions = Array(repeating: 0, count: n * actionSize)
        rewards = Array(repeating: 0, count: n)
        episodeStarts = rewards
        values = rewards
        logProbabilities = rewards
        advantages = rewards
        returns = rewards
    }

    public var isFull: Bool { position == steps }
    /// steps × copies samples, stored step-major (sample t·copies + i is copy i at step t).
    public var sampleCount: Int { steps * copies }

    public mutating func reset() { position = 0 }

    /// Stores one vector step: the observations acted on, the actions, the rewards received
    /// (already bootstrapped on truncation), whether each observation began an episode, and the
    /// policy's value and log-probability at the time.
    public mutating func add(observations obs: [Float], actions act: [Float], rewards rew: [Float],
                             episodeStarts starts: [Bool], values val: [Float], logProbabilities logp: [Float]) {
        precondition(position < steps, "the rollout buffer is full")
        precondition(obs.count == copies * observationSize && act.count == copies * actionSize
                     && rew.count == copies && starts.count == copies && val.count == copies && logp.count == copies,
                     "one row per copy expected")
        let base = position * copies
        observations.replaceSubrange((base * observationSize)..<((base + copies) * observationSize), with: obs)
        actions.replaceSubrange((base * actionSize)..<((base + copies) * actionSize), with: act)
        for i in 0..<copies {
            rewards[base + i] = rew[i]
            episodeStarts[base + i] = starts[i] ? 1 : 0
            values[base + i] = val[i]
            logProbabilities[base + i] = logp[i]
        }
        position += 1
    }

    /// GAE(λ): δₜ = rₜ + γ·V(sₜ₊₁)·(1 − doneₜ₊₁) − V(sₜ), Âₜ = δₜ + γλ(1 − doneₜ₊₁)·Âₜ₊₁, and
    /// returns Âₜ + V(sₜ) as the value target. `lastValues` are V of the observations after the
    /// last step, `lastEpisodeStarts` whether those begin new episodes.
    public mutating func computeAdvantages(lastValues: [Float], lastEpisodeStarts: [Bool], gamma: Float, lambda: Float) {
        precondition(isFull && lastValues.count == copies && lastEpisodeStarts.count == copies)
        for i in 0..<copies {
            var running: Float = 0
            for t in stride(from: steps - 1, through: 0, by: -1) {
                let index = t * copies + i
                let nextNonTerminal: Float, nextValue: Float
                if t == steps - 1 {
                    nextNonTerminal = lastEpisodeStarts[i] ? 0 : 1
                    nextValue = lastValues[i]
                } else {
                    nextNonTerminal = 1 - episodeStarts[index + copies]
                    nextValue = values[index + copies]
                }
                let delta = rewards[index] + gamma * nextValue * nextNonTerminal - values[index]
                running = delta + gamma * lambda * nextNonTerminal * running
                advantages[index] = running
                returns[index] = running + values[index]
            }
        }
    }
}
