// Proximal Policy Optimization — Schulman, Wolski, Dhariwal, Radford & Klimov (2017),
// "Proximal Policy Optimization Algorithms", arXiv:1707.06347 — with the details of
// Stable-Baselines3's implementation (GAE, per-minibatch advantage normalisation, optional
// value clipping, one Adam over actor and critic, target-KL early stop).
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// SB3's defaults; `zoo(for:)` gives rl-baselines3-zoo's tuned values (hyperparams/ppo.yml).
public struct PPOHyperparameters: Hyperparameters {
    public var nEnvs = 1
    public var nTimesteps = 1_000_000
    public var learningRate = ScheduledValue.constant(3e-4)
    /// Steps per environment per rollout.
    public var nSteps = 2048
    public var batchSize = 64
    public var nEpochs = 10
    public var gamma = 0.99
    public var gaeLambda = 0.95
    public var clipRange = ScheduledValue.constant(0.2)
    /// Clip the value update around the old values (SB3's `clip_range_vf`); nil: no clipping.
    public var clipRangeVf: Double?
    public var normalizeAdvantage = true
    public var entCoef = 0.0
    public var vfCoef = 0.5
    public var maxGradNorm = 0.5
    /// Stop the epochs early when the approximate KL exceeds 1.5 × this; nil: never.
    public var targetKl: Double?
    public var netArch = [64, 64]
    public var orthoInit = true
    /// One hidden trunk under both heads instead of separate actor and critic networks.
    public var sharedNetwork = false
    public var logStdInit = 0.0
    /// Normalise observations and rewards with running statistics (the zoo's `normalize: true`).
    public var normalize = false

    public init() {}

    /// The zoo's tuned settings are in hyperparams/ppo.yml (`zoo(for:)`); Pendulum-v1's uses
    /// gSDE in the zoo, here the plain Gaussian policy.
    public static let zooName = "ppo"

    public static var optionalNames: [String] { ["clip_range_vf", "target_kl"] }

    public static var ranges: [ParameterRange<Self>] { [
        .integer("n_envs", \.nEnvs, 1...Limits.environments),
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        .schedule("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .integer("n_steps", \.nSteps, 1...Limits.batch),
        .integer("batch_size", \.batchSize, 1...Limits.batch),
        .integer("n_epochs", \.nEpochs, 1...10_000),
        .number("gamma", \.gamma, .closed(0, 1)),
        .number("gae_lambda", \.gaeLambda, .closed(0, 1)),
        .schedule("clip_range", \.clipRange, .above(0, upTo: 1)),
        .optionalNumber("clip_range_vf", \.clipRangeVf, .above(0, upTo: 1e9)),
        .flag("normalize_advantage", \.normalizeAdvantage),
        .optionalNumber("target_kl", \.targetKl, .above(0, upTo: 1e3)),
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

public final class PPO: DeepAgent {
    public static let id = "ppo"
    public let config: PPOHyperparameters
    public let policy: ActorCritic
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private let optimizer: Adam
    private var collector: OnPolicyCollector
    private var generator: RandomGenerator

    public init(environment: any DynamicEnvironment, config: PPOHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        self.seed = seed
        self.config = config
        self.totalSteps = totalSteps ?? config.nTimesteps
        let observationSize = environment.observationSpace.flatCount
        try MemoryBudget.check("n_envs=\(config.nEnvs) × n_steps=\(config.nSteps)", count: MemoryBudget.product(config.nEnvs, config.nSteps) ?? .max,
                               bytesEach: (observationSize + environment.actionSpace.flatCount + 8) * MemoryLayout<Float>.size)
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: observationSize, outputs: environment.actionSpace.flatCount + 1,
                                       copies: config.sharedNetwork ? 1 : 2, batch: config.batchSize)
        generator = RandomGenerator(seed: seed)
        policy = try ActorCritic(observationSize: environment.observationSpace.flatCount, actionSpace: environment.actionSpace,
                                 hidden: config.netArch, orthogonal: config.orthoInit, logStdInit: Float(config.logStdInit),
                                 shared: config.sharedNetwork, using: &generator)
        // SB3 gives PPO's Adam ε = 1e-5.
        optimizer = Adam(policy.parameters, learningRate: Float(config.learningRate.initial), epsilon: 1e-5)
        collector = try OnPolicyCollector(environment: environment, copies: config.nEnvs, steps: config.nSteps,
                                          normalize: config.normalize, gamma: config.gamma,
                                          actionSize: policy.actionSize, seed: seed)
    }

    public func iterate() throws -> TrainingReport {
        // MARK: Rollout
        let episodes = try collector.collect(policy: policy, gamma: Float(config.gamma), lambda: Float(config.gaeLambda),
                                         using: &generator, stepsBefore: stepsDone)
        stepsDone += config.nSteps * config.nEnvs
        // MARK: Update
        let metrics = try update()
        return TrainingReport(steps: stepsDone, metrics: metrics, episodes: episodes)
    }

    private func update() throws -> [(name: String, value: Double)] {
        let learningRate = Float(config.learningRate.value(progressRemaining: progressRemaining))
        let clip = Float(config.clipRange.value(progressRemaining: progressRemaining))
        optimizer.learningRate = learningRate
        let buffer = collector.buffer
        let n = buffer.sampleCount, size = buffer.observationSize, actionSize = buffer.actionSize
        var policyLosses: [Float] = [], valueLosses: [Float] = [], entropies: [Float] = []
        var approxKL: Float = 0, clipFractions: [Float] = []
        epochs: for _ in 0..<config.nEpochs {
            var order = Array(0..<n)
            order.shuffle(using: &generator)
            for start in stride(from: 0, to: n, by: config.batchSize) {
                let batch = Array(order[start..<Swift.min(start + config.batchSize, n)])
                let observations = Tensor(gatherRows(buffer.observations, width: size, batch), shape: [batch.count, size])
                let actions = gatherRows(buffer.actions, width: actionSize, batch)
                let oldLogp = batch.map { buffer.logProbabilities[$0] }
                let returns = Tensor(batch.map { buffer.returns[$0] })
                var advantages = batch.map { buffer.advantages[$0] }
                if config.normalizeAdvantage && batch.count > 1 { advantages = standardised(advantages) }

                // L = −L^CLIP + c_v·L^VF − c_e·S, equation (9) of the paper, negated for descent.
                optimizer.zeroGrad()
                let (distribution, predicted) = policy.evaluate(observations)
                var values = predicted
                let logp = distribution.logProbability(of: actions)
                let policyLoss = Loss.clippedSurrogate(logp, oldLogp: Tensor(oldLogp), advantages: Tensor(advantages), clip: clip)
                if let clipVF = config.clipRangeVf.map(Float.init) {
                    let oldValues = Tensor(batch.map { buffer.values[$0] })
                    values = oldValues + (values - oldValues).clamped(min: -clipVF, max: clipVF)
                }
                let valueLoss = Loss.meanSquaredError(values, returns)
                var loss = policyLoss + Float(config.vfCoef) * valueLoss
                var entropy = Float.nan
                if config.entCoef != 0 {
                    let s = distribution.entropy().mean()
                    loss = loss - Float(config.entCoef) * s
                    entropy = s.item
                }
                let logRatio = zip(logp.scalars, oldLogp).map { $0 - $1 }
                loss.backward()
                let (policyLossValue, valueLossValue) = (policyLoss.item, valueLoss.item)
                // Approximate KL (Schulman's k3 estimator) of this minibatch before the step.
                approxKL = logRatio.reduce(0) { $0 + (Foundation.exp($1) - 1) - $1 } / Float(logRatio.count)
                if let target = config.targetKl, Double(approxKL) > 1.5 * target { break epochs }
                try ensureFinite(policyLossValue + valueLossValue, "the PPO loss at step \(stepsDone)")
                policyLosses.append(policyLossValue)
                valueLosses.append(valueLossValue)
                if !entropy.isNaN { entropies.append(entropy) }
                clipFractions.append(Float(logRatio.filter { abs(Foundation.exp($0) - 1) > clip }.count) / Float(logRatio.count))

                clipGradientNorm(policy.parameters, maxNorm: Float(config.maxGradNorm))
                optimizer.step()
            }
        }
        if entropies.isEmpty {  // not in the loss: measure it once on the whole rollout
            let all = Tensor(buffer.observations, shape: [n, size])
            entropies = [withoutGrad { policy.distribution(all).entropy().mean().item }]
        }
        return [("losses/policy_loss", mean(policyLosses)), ("losses/value_loss", mean(valueLosses)),
                ("losses/entropy", mean(entropies)), ("losses/approx_kl", Double(approxKL)),
                ("losses/clipfrac", mean(clipFractions)),
                ("losses/explained_variance", explainedVariance(buffer.values, buffer.returns)),
                ("charts/learning_rate", Double(learningRate))]
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
