import Foundation
import NN
import RL
import Tensor

/// The rollout half shared by PPO and A2C (SB3's `OnPolicyAlgorithm.collect_rollouts`): step
/// the batched environments with actions sampled from the policy, normalise observations and
/// rewards if asked, bootstrap truncated episodes with γ·V(final observation), fill the buffer,
/// then compute GAE from the value of the observation after the last step.
struct OnPolicyCollector {
    var environments: any BatchedEnvironment
    var normalizer: VectorNormalizer?
    var buffer: RolloutBuffer
    /// The (normalised) observations the policy acts on next, and whether they begin episodes.
    var observations: [Float]
    var episodeStarts: [Bool]

    init(environment: any DynamicEnvironment, copies: Int, steps: Int, normalize: Bool, gamma: Double,
         actionSize: Int, seed: UInt64) throws {
        environments = try environment.batched(copies: copies)
        environments.reset(seed: seed)
        let size = environments.observationSize
        normalizer = normalize ? VectorNormalizer(observationSize: size, copies: copies, gamma: gamma) : nil
        normalizer?.updateObservations(environments.observations)
        observations = normalizer?.normalize(environments.observations) ?? environments.observations
        episodeStarts = Array(repeating: true, count: copies)
        buffer = RolloutBuffer(steps: steps, copies: copies, observationSize: size, actionSize: actionSize)
    }

    var copies: Int { environments.count }

    /// Fills the buffer with one rollout and computes advantages; returns finished episodes
    /// (with the environment's own, unnormalised returns).
    mutating func collect(policy: ActorCritic, gamma: Float, lambda: Float,
                          using generator: inout RandomGenerator, stepsBefore: Int) throws -> [EpisodeRecord] {
        let size = environments.observationSize, n = copies
        var finished: [EpisodeRecord] = []
        buffer.reset()
        while !buffer.isFull {
            let (actions, values, logp) = withoutGrad { () -> ([Float], [Float], [Float]) in
                let x = Tensor(observations, shape: [n, size])
                let distribution = policy.distribution(x)
                let actions = distribution.sample(using: &generator)
                return (actions, policy.value(x).scalars, distribution.logProbability(of: actions).scalars)
            }
            environments.step(flatActions: policy.environmentActions(actions))
            try ensureFiniteStep(of: environments, atStep: stepsBefore + (buffer.position + 1) * n)
            finished += environments.finishedEpisodes.map(\.record)
            let terminated = environments.terminated, truncated = environments.truncated
            let dones = (0..<n).map { terminated[$0] || truncated[$0] }
            normalizer?.updateObservations(environments.observations)
            var rewards = normalizer?.scaleRewards(environments.rewards, dones: dones) ?? environments.rewards
            // Bootstrap episodes cut by the time limit (not those that reached a terminal state).
            let cut = (0..<n).filter { truncated[$0] && !terminated[$0] }
            if !cut.isEmpty {
                let finals = environments.finalObservations
                var rows: [Float] = []
                for i in cut { rows += finals[(i * size)..<((i + 1) * size)] }
                rows = normalizer?.normalize(rows) ?? rows
                let finalValues = withoutGrad { policy.value(Tensor(rows, shape: [cut.count, size])).scalars }
                for (k, i) in cut.enumerated() { rewards[i] += gamma * finalValues[k] }
            }
            buffer.add(observations: observations, actions: actions, rewards: rewards, episodeStarts: episodeStarts,
                       values: values, logProbabilities: logp)
            observations = normalizer?.normalize(environments.observations) ?? environments.observations
            episodeStarts = dones
        }
        let lastValues = withoutGrad { policy.value(Tensor(observations, shape: [n, size])).scalars }
        buffer.computeAdvantages(lastValues: lastValues, lastEpisodeStarts: episodeStarts, gamma: gamma, lambda: lambda)
        return finished
    }

    /// The deterministic (or sampled) action for one raw observation, normalised with the
    /// current statistics (frozen: acting never updates them).
    func act(_ observation: [Float], policy: ActorCritic, deterministic: Bool, using generator: inout RandomGenerator) -> [Float] {
        policy.act(normalizer?.normalize(observation) ?? observation, deterministic: deterministic, using: &generator)
    }

    /// π(·|s) and V(s) for one raw observation, normalised as the policy saw it in training.
    func internals(_ observation: [Float], policy: ActorCritic) -> (probabilities: [Double], value: Double?) {
        let (probabilities, value) = policy.internals(normalizer?.normalize(observation) ?? observation)
        return (probabilities, value)
    }

    // MARK: Checkpoint

    private struct Saved: Codable {
        var observations: [Float]
        var episodeStarts: [Bool]
    }

    func save(into builder: inout CheckpointBuilder) throws {
        builder.metadata["environments"] = String(decoding: try environments.snapshot(), as: UTF8.self)
        try builder.add(json: Saved(observations: observations, episodeStarts: episodeStarts), as: "collector")
        try normalizer?.save(into: &builder, as: "normalizer")
    }

    mutating func load(from reader: CheckpointReader) throws {
        try environments.restore(from: Data(try reader.string("environments").utf8))
        let saved = try reader.json(Saved.self, "collector")
        guard saved.observations.count == observations.count, saved.episodeStarts.count == episodeStarts.count else {
            throw TrainingError.checkpoint("saved observations do not fit \(copies) environments")
        }
        (observations, episodeStarts) = (saved.observations, saved.episodeStarts)
        try normalizer?.load(from: reader, as: "normalizer")
    }
}
