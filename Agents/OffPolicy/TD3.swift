// Twin Delayed DDPG — Fujimoto, van Hoof & Meger (2018), "Addressing Function Approximation
// Error in Actor-Critic Methods", arXiv:1802.09477: clipped double-Q targets from twin critics,
// target policy smoothing, and an actor (and targets) updated every `policy_delay` critic steps.
// With one critic, no delay and no smoothing it is DDPG — Lillicrap et al. (2015), "Continuous
// control with deep reinforcement learning", arXiv:1509.02971 — as Stable-Baselines3 builds
// its DDPG from its TD3 (`ddpg` in the registry).
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// SB3's TD3 defaults; `zoo(for:)` reads hyperparams/td3.yml (or ddpg.yml for DDPG).
public struct TD3Hyperparameters: HindsightSettings {
    public var nEnvs = 1
    public var nTimesteps = 1_000_000
    public var learningRate = ScheduledValue.constant(1e-3)
    public var bufferSize = 1_000_000
    public var learningStarts = 100
    public var batchSize = 256
    public var tau = 0.005
    public var gamma = 0.99
    public var trainFreq = 1
    /// Gradient steps after each collection of `train_freq` steps (−1: as many as steps collected).
    public var gradientSteps = 1
    /// Scale σ of the exploration noise on actions in [−1, 1] (the zoo's `noise_std`); 0: none, SB3's default.
    public var actionNoiseStd = 0.0
    /// The zoo's `noise_type`: `normal` (N(0, σ) each step) or `ornstein-uhlenbeck` (SB3's
    /// OrnsteinUhlenbeckActionNoise: θ = 0.15, dt = 0.01, from 0 at each episode's start).
    public var actionNoiseType = "normal"
    public var policyDelay = 2
    /// Target policy smoothing: noise N(0, σ) clipped to ±c on the target action.
    public var targetPolicyNoise = 0.2
    public var targetNoiseClip = 0.5
    public var nCritics = 2
    public var netArch = [400, 300]
    /// Hindsight experience replay on a goal task (SB3's `replay_buffer_class: HerReplayBuffer`).
    public var her = false
    public var nSampledGoal = 4
    public var goalSelectionStrategy = "future"

    public init() {}

    /// DDPG's settings: one critic, no delay, no target smoothing (SB3's `DDPG`).
    public static var ddpg: Self {
        var c = Self()
        (c.policyDelay, c.targetPolicyNoise, c.targetNoiseClip, c.nCritics) = (1, 0, 0, 1)
        return c
    }

    public var isDDPG: Bool { policyDelay == 1 && nCritics == 1 && targetPolicyNoise == 0 }

    /// The zoo's settings are in hyperparams/td3.yml (`zoo(for:)`); SB3's networks use ReLU.
    public static let zooName = "td3"
    public static let activationFunction = "nn.ReLU"

    public static var ranges: [ParameterRange<Self>] { [
        .integer("n_envs", \.nEnvs, 1...Limits.environments),
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        .schedule("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .integer("buffer_size", \.bufferSize, 1...Limits.steps),
        .integer("learning_starts", \.learningStarts, 0...Limits.steps),
        .integer("batch_size", \.batchSize, 1...Limits.batch),
        .number("tau", \.tau, .above(0, upTo: 1)),
        .number("gamma", \.gamma, .closed(0, 1)),
        .integer("train_freq", \.trainFreq, 1...Limits.steps),
        .integer("gradient_steps", \.gradientSteps, -1...Limits.batch),
        .number("action_noise_std", \.actionNoiseStd, .closed(0, 10)),
        ParameterRange("action_noise_type", expected: "normal or ornstein-uhlenbeck",
                       accepts: { ["normal", "ornstein-uhlenbeck"].contains($0.actionNoiseType) }, value: \.actionNoiseType),
        .integer("policy_delay", \.policyDelay, 1...Limits.steps),
        .number("target_policy_noise", \.targetPolicyNoise, .closed(0, 10)),
        .number("target_noise_clip", \.targetNoiseClip, .closed(0, 10)),
        .integer("n_critics", \.nCritics, 1...8),
        .layers("net_arch", \.netArch, sizes: 1...Limits.layerSize),
    ] + hindsightRanges }
}

// MARK: - Agent

public final class TD3: DeepAgent {
    public static let id = "td3"
    public var name: String { config.isDDPG ? "ddpg" : Self.id }
    public let config: TD3Hyperparameters
    public let actor: DeterministicActor, actorTarget: DeterministicActor
    public let critic: ContinuousCritic, criticTarget: ContinuousCritic
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private var gradientUpdates = 0
    private let actorOptimizer: Adam, criticOptimizer: Adam
    private var environments: any BatchedEnvironment
    /// The replay buffer, with HER's episode index.
    private var memory: ReplayMemory
    private var generator: RandomGenerator
    private let scale: ActionScale
    /// The Ornstein–Uhlenbeck noise of each environment copy's action (zeros with normal noise).
    private var correlatedNoise: [Float]

    public init(environment: any DynamicEnvironment, config: TD3Hyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        scale = try ActionScale(environment.actionSpace)
        (self.config, self.seed, self.totalSteps) = (config, seed, totalSteps ?? config.nTimesteps)
        let size = environment.observationSpace.flatCount, actions = scale.dimension
        try MemoryBudget.check("buffer_size=\(config.bufferSize)", count: config.bufferSize,
                               bytesEach: (2 * size + actions + 2) * MemoryLayout<Float>.size)
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: size + actions, outputs: actions,
                                       copies: 2 + 2 * config.nCritics, batch: config.batchSize)
        generator = RandomGenerator(seed: seed)
        actor = DeterministicActor(observationSize: size, actionSize: actions, hidden: config.netArch, using: &generator)
        actorTarget = DeterministicActor(observationSize: size, actionSize: actions, hidden: config.netArch, using: &generator)
        critic = ContinuousCritic(observationSize: size, actionSize: actions, hidden: config.netArch, count: config.nCritics, using: &generator)
        criticTarget = ContinuousCritic(observationSize: size, actionSize: actions, hidden: config.netArch, count: config.nCritics, using: &generator)
        polyakUpdate(actorTarget, from: actor, tau: 1)
        polyakUpdate(criticTarget, from: critic, tau: 1)
        let rate = Float(config.learningRate.initial)
        (actorOptimizer, criticOptimizer) = (Adam(actor.parameters, learningRate: rate), Adam(critic.parameters, learningRate: rate))
        environments = try environment.batched(copies: config.nEnvs)
        environments.reset(seed: seed)
        memory = try ReplayMemory(config, environment: environment, actionSize: actions)
        correlatedNoise = Array(repeating: 0, count: config.nEnvs * actions)
    }

    /// SB3's exploration: noise added to every collected action in [−1, 1], uniform ones before
    /// `learning_starts` included, then clipped to the box.
    private func addExplorationNoise(_ actions: [Float]) -> [Float] {
        guard config.actionNoiseStd > 0 else { return actions }
        let sigma = Float(config.actionNoiseStd)
        if config.actionNoiseType == "normal" {
            return actions.map { Swift.min(Swift.max($0 + sigma * generator.nextNormal(), -1), 1) }
        }
        // xₜ = xₜ₋₁ + θ(0 − xₜ₋₁)dt + σ√dt·ε
        let theta: Float = 0.15, dt: Float = 0.01
        for i in correlatedNoise.indices {
            correlatedNoise[i] += -theta * correlatedNoise[i] * dt + sigma * dt.squareRoot() * generator.nextNormal()
        }
        return zip(actions, correlatedNoise).map { Swift.min(Swift.max($0 + $1, -1), 1) }
    }

    public func iterate() throws -> TrainingReport {
        // MARK: Collect train_freq steps: μ(s) + N(0, σ), clipped to [−1, 1] (uniform before learning_starts)
        let n = environments.count, size = environments.observationSize, d = scale.dimension
        var episodes: [EpisodeRecord] = []
        for _ in 0..<config.trainFreq {
            let observations = environments.observations
            let actions = addExplorationNoise(stepsDone < config.learningStarts
                ? (0..<(n * d)).map { _ in Float(generator.nextUniformDouble() * 2 - 1) }
                : withoutGrad { actor(Tensor(observations, shape: [n, size])).scalars })
            environments.step(flatActions: scale.environmentActions(actions))
            try ensureFiniteStep(of: environments, atStep: stepsDone)
            episodes += environments.finishedEpisodes.map(\.record)
            memory.addStep(observations: observations, actions: actions, of: environments)
            for i in 0..<n where environments.terminated[i] || environments.truncated[i] {
                for j in (i * d)..<((i + 1) * d) { correlatedNoise[j] = 0 }  // SB3 resets the noise at episode ends
            }
            stepsDone += n
        }
        // MARK: Train
        var criticLosses: [Float] = [], actorLosses: [Float] = []
        if stepsDone > config.learningStarts && memory.canSample {
            let steps = config.gradientSteps >= 0 ? config.gradientSteps : config.trainFreq * n
            for _ in 0..<steps {
                let (criticLoss, actorLoss) = try gradientStep()
                criticLosses.append(criticLoss)
                if let actorLoss { actorLosses.append(actorLoss) }
            }
        }
        return TrainingReport(steps: stepsDone, metrics: [
            ("losses/qf_loss", mean(criticLosses)), ("losses/actor_loss", mean(actorLosses)),
            ("charts/learning_rate", config.learningRate.value(progressRemaining: progressRemaining)),
        ], episodes: episodes)
    }

    /// One critic step; every `policy_delay`-th, an actor step and the target updates.
    private func gradientStep() throws -> (critic: Float, actor: Float?) {
        let rate = Float(config.learningRate.value(progressRemaining: progressRemaining))
        (actorOptimizer.learningRate, criticOptimizer.learningRate) = (rate, rate)
        gradientUpdates += 1
        // Uniform minibatches, or with HER a share of them given goals the episodes achieved.
        let batch = memory.sample(config.batchSize, using: &generator)
        let size = memory.observationSize, d = memory.actionSize, b = batch.count
        let observations = Tensor(batch.observations, shape: [b, size])
        let nextObservations = Tensor(batch.nextObservations, shape: [b, size])
        let actions = Tensor(batch.actions, shape: [b, d])
        let rewards = Tensor(batch.rewards), notDone = Tensor(batch.terminated.map { 1 - $0 })
        let smoothing = config.targetPolicyNoise > 0 ? (0..<(b * d)).map { _ in generator.nextNormal() } : [Float](repeating: 0, count: b * d)

        // The target shares nothing with Q(s, a): the core may compute them side by side.
        let (target, q) = evaluateTogether({
            clippedDoubleQTarget(rewards: rewards, notDone: notDone, nextObservations: nextObservations, noise: smoothing)
        }, { critic(observations, actions) })
        let qLoss = criticLoss(q, target: target)
        try ensureFinite(qLoss.item, "the \(name) critic loss at step \(stepsDone)")
        criticOptimizer.zeroGrad()
        qLoss.backward()
        criticOptimizer.step()
        guard gradientUpdates % config.policyDelay == 0 else { return (qLoss.item, nil) }

        // Delayed: the actor, then θ̄ ← τθ + (1 − τ)θ̄ for the critics and the actor.
        let muLoss = actorLoss(observations: observations)
        try ensureFinite(muLoss.item, "the \(name) actor loss at step \(stepsDone)")
        actorOptimizer.zeroGrad()
        muLoss.backward()
        actorOptimizer.step()
        polyakUpdate(criticTarget, from: critic, tau: Float(config.tau))
        polyakUpdate(actorTarget, from: actor, tau: Float(config.tau))
        return (qLoss.item, muLoss.item)
    }

    // MARK: - Losses

    /// y = r + γ(1 − d) minⱼ Q̄ⱼ(s′, clip(μ̄(s′) + clip(σε, −c, c), −1, 1)) for standard-normal ε; no gradient.
    public func clippedDoubleQTarget(rewards: Tensor, notDone: Tensor, nextObservations: Tensor, noise: [Float]) -> Tensor {
        withoutGrad {
            let c = Float(config.targetNoiseClip), sigma = Float(config.targetPolicyNoise)
            let smoothing = Tensor(noise.map { Swift.min(Swift.max(sigma * $0, -c), c) }, shape: [nextObservations.shape[0], noise.count / nextObservations.shape[0]])
            let nextActions = (actorTarget(nextObservations) + smoothing).clamped(min: -1, max: 1)
            let nextQ = criticTarget(nextObservations, nextActions)
            return rewards + Float(config.gamma) * notDone * nextQ.dropFirst().reduce(nextQ[0]) { Tensor.minimum($0, $1) }
        }
    }

    /// J(Q) = Σᵢ E[(Qᵢ(s, a) − y)²].
    public func criticLoss(observations: Tensor, actions: Tensor, target: Tensor) -> Tensor {
        criticLoss(critic(observations, actions), target: target)
    }

    func criticLoss(_ q: [Tensor], target: Tensor) -> Tensor {
        q.dropFirst().reduce(Loss.meanSquaredError(q[0], target)) { $0 + Loss.meanSquaredError($1, target) }
    }

    /// J(μ) = −E[Q₁(s, μ(s))], through the first critic alone, frozen: only the actor learns from it.
    public func actorLoss(observations: Tensor) -> Tensor {
        let mu = actor(observations)
        return -critic.withFrozenParameters { critic.first(observations, mu) }.mean()
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        var scaled = withoutGrad { actor(Tensor(observation, shape: [1, observation.count])).scalars }
        if !deterministic && config.actionNoiseStd > 0 {
            scaled = scaled.map { Swift.min(Swift.max($0 + Float(config.actionNoiseStd) * generator.nextNormal(), -1), 1) }
        }
        return scale.environmentActions(scaled)
    }

    /// No action probabilities for a deterministic policy; the value is Q₁(s, μ(s)).
    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        let input = Tensor(observation, shape: [1, observation.count])
        return ([], Double(withoutGrad { critic(input, actor(input))[0].item }))
    }

    // MARK: - Checkpoint

    private var networks: DeterministicActorCritic {
        DeterministicActorCritic(actor: actor, actorTarget: actorTarget, critic: critic, criticTarget: criticTarget,
                                 actorOptimizer: actorOptimizer, criticOptimizer: criticOptimizer)
    }

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        builder.add(networks)
        try builder.addOffPolicyState(stepsDone: stepsDone, gradientUpdates: gradientUpdates, memory: memory,
                                      generator: generator, environments: environments)
        builder.add(correlatedNoise, as: "action_noise")
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try reader.load(networks)
        (stepsDone, gradientUpdates, generator) = try reader.loadOffPolicyState(memory: &memory, environments: &environments)
        // Checkpoints written before Ornstein–Uhlenbeck noise existed have none: it was zero.
        let noise = reader.file.tensors.contains { $0.name == "action_noise" } ? try reader.values("action_noise") : correlatedNoise.map { _ in 0 }
        guard noise.count == correlatedNoise.count, noise.allSatisfy(\.isFinite) else {
            throw TrainingError.checkpoint("action_noise holds \(noise.count) values, not \(correlatedNoise.count) finite ones")
        }
        correlatedNoise = noise
    }
}

extension TD3: ExperienceReplaying {
    public var replayBuffer: ReplayBuffer { memory.replay }
    public var replayCopies: Int { config.nEnvs }
}
