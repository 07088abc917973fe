// Advantage Actor-Critic — Mnih et al. (2016), "Asynchronous Methods for Deep Reinforcement
// Learning", ICML — in its synchronous form as Stable-Baselines3 runs it: n-step rollouts from
// parallel environments, GAE(λ) (λ = 1 gives plain n-step returns), one update per rollout,
// RMSprop with ε = 1e-5.
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// SB3's defaults; `zoo(for:)` gives rl-baselines3-zoo's tuned values (hyperparams/a2c.yml).
public struct A2CHyperparameters: Hyperparameters {
    public var nEnvs = 1
    public var nTimesteps = 1_000_000
    public var learningRate = ScheduledValue.constant(7e-4)
    public var nSteps = 5
    public var gamma = 0.99
    public var gaeLambda = 1.0
    public var entCoef = 0.0
    public var vfCoef = 0.5
    public var maxGradNorm = 0.5
    public var rmsPropEps = 1e-5
    public var normalizeAdvantage = false
    public var netArch = [64, 64]
    public var orthoInit = true
    /// One hidden trunk under both heads instead of separate actor and critic networks.
    public var sharedNetwork = false
    public var logStdInit = 0.0
    public var normalize = false

    public init() {}

    /// The zoo's settings are in hyperparams/a2c.yml (`zoo(for:)`); Pendulum-v1's uses gSDE in
    /// the zoo, here the plain Gaussian policy (log-std initialised at −2 as its policy_kwargs).
    public static let zooName = "a2c"

    public static var ranges: [ParameterRange<Self>] { [
        .integer("n_envs", \.nEnvs, 1...Limits.environments),
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        .schedule("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .integer("n_steps", \.nSteps, 1...Limits.batch),
        .number("gamma", \.gamma, .closed(0, 1)),
        .number("gae_lambda", \.gaeLambda, .closed(0, 1)),
        .number("rms_prop_eps", \.rmsPropEps, .above(0, upTo: 1)),
        .flag("normalize_advantage", \.normalizeAdvantage),
        .flag("normalize", \.normalize),
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

public final class A2C: DeepAgent {
    public static let id = "a2c"
    public let config: A2CHyperparameters
    public let policy: ActorCritic
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private let optimizer: RMSprop
    private var collector: OnPolicyCollector
    private var generator: RandomGenerator

    public init(environment: any DynamicEnvironment, config: A2CHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        self.seed = seed
        self.config = config
        self.totalSteps = totalSteps ?? config.nTimesteps
        let observationSize = environment.observationSpace.flatCount
        try MemoryBudget.check("n_envs=\(config.nEnvs) × n_steps=\(config.nSteps)", count: MemoryBudget.product(config.nEnvs, config.nSteps) ?? .max,
                               bytesEach: (observationSize + environment.actionSpace.flatCount + 8) * MemoryLayout<Float>.size)
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: observationSize, outputs: environment.actionSpace.flatCount + 1,
                                       copies: config.sharedNetwork ? 1 : 2, batch: config.nEnvs * config.nSteps)
        generator = RandomGenerator(seed: seed)
        policy = try ActorCritic(observationSize: environment.observationSpace.flatCount, actionSpace: environment.actionSpace,
                                 hidden: config.netArch, orthogonal: config.orthoInit, logStdInit: Float(config.logStdInit),
                                 shared: config.sharedNetwork, using: &generator)
        optimizer = RMSprop(policy.parameters, learningRate: Float(config.learningRate.initial), alpha: 0.99,
                            epsilon: Float(config.rmsPropEps))
        collector = try OnPolicyCollector(environment: environment, copies: config.nEnvs, steps: config.nSteps,
                                          normalize: config.normalize, gamma: config.gamma,
                                          actionSize: policy.actionSize, seed: seed)
    }

    public func iterate() throws -> TrainingReport {
        // MARK: Rollout
        let episodes = try collector.collect(policy: policy, gamma: Float(config.gamma), lambda: Float(config.gaeLambda),
                                         using: &generator, stepsBefore: stepsDone)
        stepsDone += config.nSteps * config.nEnvs
        // MARK: Update: one gradient step on the whole rollout
        let learningRate = Float(config.learningRate.value(progressRemaining: progressRemaining))
        optimizer.learningRate = learningRate
        let buffer = collector.buffer
        let observations = Tensor(buffer.observations, shape: [buffer.sampleCount, buffer.observationSize])
        let advantages = Tensor(config.normalizeAdvantage ? standardised(buffer.advantages) : buffer.advantages)
        let (distribution, values) = policy.evaluate(observations)
        let logp = distribution.logProbability(of: buffer.actions)
        // L = −E[Â · log π(a|s)] + c_v · E[(V(s) − R)²] − c_e · E[H(π(·|s))]
        let policyLoss = -(advantages * logp).mean()
        let valueLoss = Loss.meanSquaredError(values, Tensor(buffer.returns))
        let entropy = distribution.entropy().mean()
        let loss = policyLoss + Float(config.vfCoef) * valueLoss - Float(config.entCoef) * entropy
        try ensureFinite(loss.item, "the A2C loss at step \(stepsDone)")
        optimizer.zeroGrad()
        loss.backward()
        clipGradientNorm(policy.parameters, maxNorm: Float(config.maxGradNorm))
        optimizer.step()
        let metrics: [(name: String, value: Double)] = [
            ("losses/policy_loss", Double(policyLoss.item)), ("losses/value_loss", Double(valueLoss.item)),
            ("losses/entropy", Double(entropy.item)),
            ("losses/explained_variance", explainedVariance(buffer.values, buffer.returns)),
            ("charts/learning_rate", Double(learningRate)),
        ]
        return TrainingReport(steps: stepsDone, metrics: metrics, episodes: episodes)
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        collector.act(observation, policy: policy, deterministic: deterministic, using: &generator)
    }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        collector.internals(observation, policy: policy)
    }

    // MARK: - Checkpoint

    public func checkpoint() throws -> SafeTensors {
        var builder = try PolicyCheckpoint.builder(agent: Self.id, hyperparameters: config.json, policy: policy,
                                                   optimizer: optimizer, stepsDone: stepsDone, generator: generator)
        try collector.save(into: &builder)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let (reader, progress) = try PolicyCheckpoint.read(checkpoint, agent: Self.id, policy: policy, optimizer: optimizer)
        try collector.load(from: reader)
        (stepsDone, generator) = (progress.stepsDone, progress.generator)
    }
}
