// REINFORCE — Williams (1992), "Simple Statistical Gradient-Following Algorithms for
// Connectionist Reinforcement Learning", Machine Learning 8 — with reward-to-go and an optional
// learned state-value baseline (Sutton & Barto 2018, §13.3–13.4). Each update plays one whole
// episode on each of `n_envs` environments with the current policy, so it stays on-policy.
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

public struct REINFORCEHyperparameters: Hyperparameters {
    /// Episodes per update (one per environment copy).
    public var nEnvs = 8
    public var nTimesteps = 200_000
    public var learningRate = ScheduledValue.constant(1e-3)
    public var gamma = 0.99
    /// Subtract a learned V(s) from the return (and fit it with MSE, weighted by vf_coef).
    public var baseline = true
    public var vfCoef = 0.5
    public var normalizeAdvantage = true
    public var entCoef = 0.0
    public var maxGradNorm = 10.0
    public var netArch = [64, 64]
    public var orthoInit = true
    /// One hidden trunk under both heads instead of separate actor and critic networks.
    public var sharedNetwork = false
    public var logStdInit = 0.0

    public init() {}

    /// Our CartPole-v1 setting, in the zoo's format, is hyperparams/reinforce.yml (the zoo has no REINFORCE).
    public static let zooName = "reinforce"

    public static var ranges: [ParameterRange<Self>] { [
        .integer("n_envs", \.nEnvs, 1...Limits.environments),
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        .schedule("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .number("gamma", \.gamma, .closed(0, 1)),
        .flag("baseline", \.baseline),
        .flag("normalize_advantage", \.normalizeAdvantage),
        .number("ent_coef", \.entCoef, .closed(0, 100)),
        .number("vf_coef", \.vfCoef, .closed(0, 100)),
        .number("max_grad_norm", \.maxGradNorm, .above(0, upTo: 1e9)),
        .layers("net_arch", \.netArch, sizes: 1...Limits.layerSize),
        .flag("ortho_init", \.orthoInit),
        .flag("shared_network", \.sharedNetwork),
        .number("log_std_init", \.logStdInit, .closed(-20, 20)),
    ] }
}

// MARK: - Agent

public final class REINFORCE: DeepAgent {
    public static let id = "reinforce"
    public let config: REINFORCEHyperparameters
    public let policy: ActorCritic
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private let optimizer: Adam
    private var environments: any BatchedEnvironment
    private var generator: RandomGenerator

    public init(environment: any DynamicEnvironment, config: REINFORCEHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        self.seed = seed
        self.config = config
        self.totalSteps = totalSteps ?? config.nTimesteps
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: environment.observationSpace.flatCount,
                                       outputs: environment.actionSpace.flatCount + 1, copies: config.sharedNetwork ? 1 : 2, batch: config.nEnvs)
        generator = RandomGenerator(seed: seed)
        policy = try ActorCritic(observationSize: environment.observationSpace.flatCount, actionSpace: environment.actionSpace,
                                 hidden: config.netArch, orthogonal: config.orthoInit, logStdInit: Float(config.logStdInit),
                                 shared: config.sharedNetwork, using: &generator)
        optimizer = Adam(policy.parameters, learningRate: Float(config.learningRate.initial))
        environments = try environment.batched(copies: config.nEnvs)
        environments.reset(seed: seed)
    }

    public func iterate() throws -> TrainingReport {
        // MARK: Play one episode per copy
        let n = environments.count, size = environments.observationSize, width = policy.actionSize
        var observations = [[Float]](repeating: [], count: n), actions = observations, rewards = observations
        var finalValue = [Float](repeating: 0, count: n)
        var active = [Bool](repeating: true, count: n)
        var episodes = [EpisodeRecord?](repeating: nil, count: n)
        var current = environments.observations
        while active.contains(true) {
            let sampled = withoutGrad { policy.distribution(Tensor(current, shape: [n, size])).sample(using: &generator) }
            environments.step(flatActions: policy.environmentActions(sampled))
            try ensureFiniteStep(of: environments, atStep: stepsDone)
            for i in 0..<n where active[i] {
                observations[i] += current[(i * size)..<((i + 1) * size)]
                actions[i] += sampled[(i * width)..<((i + 1) * width)]
                rewards[i].append(environments.rewards[i])
                if environments.terminated[i] || environments.truncated[i] {
                    active[i] = false
                    episodes[i] = environments.finishedEpisodes.first { $0.copy == i }?.record
                    if config.baseline && environments.truncated[i] && !environments.terminated[i] {
                        let final = Array(environments.finalObservations[(i * size)..<((i + 1) * size)])
                        finalValue[i] = withoutGrad { policy.value(Tensor(final, shape: [1, size])).item }
                    }
                }
            }
            current = environments.observations
        }
        // Every copy starts its next episode at the next update.
        environments.reset(seed: nil)
        let steps = rewards.reduce(0) { $0 + $1.count }
        stepsDone += steps

        // MARK: Reward-to-go: Gₜ = rₜ + γ·Gₜ₊₁ (from V(final) when a time limit cut the episode)
        var returns: [Float] = []
        let gamma = Float(config.gamma)
        for i in 0..<n {
            var g = finalValue[i], perStep = [Float](repeating: 0, count: rewards[i].count)
            for t in stride(from: rewards[i].count - 1, through: 0, by: -1) {
                g = rewards[i][t] + gamma * g
                perStep[t] = g
            }
            returns += perStep
        }

        // MARK: Update: L = −E[(Gₜ − b(sₜ)) · log π(aₜ|sₜ)] (+ c_v · E[(V(sₜ) − Gₜ)²])
        let learningRate = Float(config.learningRate.value(progressRemaining: progressRemaining))
        optimizer.learningRate = learningRate
        let x = Tensor(observations.flatMap { $0 }, shape: [steps, size])
        let distribution = policy.distribution(x)
        let logp = distribution.logProbability(of: actions.flatMap { $0 })
        var weights = returns
        var valueLoss = Tensor(0)
        if config.baseline {
            let values = policy.value(x)
            weights = zip(returns, values.scalars).map { $0 - $1 }
            valueLoss = Loss.meanSquaredError(values, Tensor(returns))
        }
        if config.normalizeAdvantage && weights.count > 1 { weights = standardised(weights) }
        let policyLoss = -(Tensor(weights) * logp).mean()
        let entropy = distribution.entropy().mean()
        let loss = policyLoss + Float(config.vfCoef) * valueLoss - Float(config.entCoef) * entropy
        try ensureFinite(loss.item, "the REINFORCE loss at step \(stepsDone)")
        optimizer.zeroGrad()
        loss.backward()
        clipGradientNorm(policy.parameters, maxNorm: Float(config.maxGradNorm))
        optimizer.step()
        let metrics: [(name: String, value: Double)] = [
            ("losses/policy_loss", Double(policyLoss.item)), ("losses/value_loss", Double(valueLoss.item)),
            ("losses/entropy", Double(entropy.item)), ("charts/learning_rate", Double(learningRate)),
        ]
        return TrainingReport(steps: stepsDone, metrics: metrics, episodes: episodes.compactMap { $0 })
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        policy.act(observation, deterministic: deterministic, using: &generator)
    }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        let (probabilities, value) = policy.internals(observation)
        return (probabilities, config.baseline ? value : nil)
    }

    // MARK: - Checkpoint

    public func checkpoint() throws -> SafeTensors {
        var builder = try PolicyCheckpoint.builder(agent: Self.id, hyperparameters: config.json, policy: policy,
                                                   optimizer: optimizer, stepsDone: stepsDone, generator: generator)
        builder.metadata["environments"] = String(decoding: try environments.snapshot(), as: UTF8.self)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let (reader, progress) = try PolicyCheckpoint.read(checkpoint, agent: Self.id, policy: policy, optimizer: optimizer)
        try environments.restore(from: Data(try reader.string("environments").utf8))
        (stepsDone, generator) = (progress.stepsDone, progress.generator)
    }
}
