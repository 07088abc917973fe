// Soft Actor-Critic — Haarnoja, Zhou, Abbeel & Levine (2018), "Soft Actor-Critic: Off-Policy
// Maximum Entropy Deep Reinforcement Learning with a Stochastic Actor", arXiv:1801.01290, with
// the learned temperature of Haarnoja et al. (2018), "Soft Actor-Critic Algorithms and
// Applications", arXiv:1812.05905 — as Stable-Baselines3 runs it: two critics and their Polyak
// targets, a tanh-squashed Gaussian actor, one gradient step per environment step; with `use_sde`,
// its exploration is state-dependent (gSDE, StateDependentActor.swift), as the zoo's MountainCarContinuous entry runs it.
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// SB3's defaults; `zoo(for:)` reads rl-baselines3-zoo's settings from hyperparams/sac.yml.
public struct SACHyperparameters: HindsightSettings {
    public var nEnvs = 1
    public var nTimesteps = 1_000_000
    public var learningRate = ScheduledValue.constant(3e-4)
    public var bufferSize = 1_000_000
    /// Uniformly random actions until then (SB3: `learning_starts`).
    public var learningStarts = 100
    public var batchSize = 256
    /// Polyak coefficient of the target critics.
    public var tau = 0.005
    public var gamma = 0.99
    public var trainFreq = 1
    /// Gradient steps after each collection of `train_freq` steps (−1: as many as steps collected).
    public var gradientSteps = 1
    /// The temperature α: "auto" (learned from 1), "auto_X" (learned from X) or a fixed number.
    public var entCoef = "auto"
    /// The entropy the learned α aims for; none: −dim(A), SB3's "auto".
    public var targetEntropy: Double?
    public var targetUpdateInterval = 1
    public var netArch = [256, 256]
    /// Generalised state-dependent exploration (gSDE) in place of a per-step Gaussian.
    public var useSde = false
    /// Draw new exploration weights every this many steps of a collection (−1: once per collection, SB3's).
    public var sdeSampleFreq = -1
    /// Explore with gSDE rather than uniformly before `learning_starts`.
    public var useSdeAtWarmup = false
    /// gSDE's initial log σ (SB3's `policy_kwargs` `log_std_init`, −3 for SAC).
    public var logStdInit = -3.0
    /// Hindsight experience replay on a goal task (SB3's `replay_buffer_class: HerReplayBuffer`).
    public var her = false
    public var nSampledGoal = 4
    public var goalSelectionStrategy = "future"

    public init() {}

    /// The zoo's settings are in hyperparams/sac.yml (`zoo(for:)`); SB3's networks use ReLU.
    public static let zooName = "sac"
    public static let activationFunction = "nn.ReLU"
    public static var optionalNames: [String] { ["target_entropy"] }
    public static var hasStateDependentExploration: Bool { true }

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
        ParameterRange("ent_coef", expected: "auto, auto_<initial value> or a positive number",
                       accepts: { (try? Temperature($0.entCoef)) != nil }, value: \.entCoef),
        .optionalNumber("target_entropy", \.targetEntropy, .closed(-1e6, 1e6)),
        .integer("target_update_interval", \.targetUpdateInterval, 1...Limits.steps),
        .layers("net_arch", \.netArch, sizes: 1...Limits.layerSize),
        .flag("use_sde", \.useSde),
        .integer("sde_sample_freq", \.sdeSampleFreq, -1...Limits.steps),
        .flag("use_sde_at_warmup", \.useSdeAtWarmup),
        .number("log_std_init", \.logStdInit, .closed(-20, 2)),
    ] + hindsightRanges }
}

/// What `ent_coef` says: a learned temperature and where it starts, or a fixed one.
struct Temperature {
    let learned: Bool, initial: Double

    init(_ text: String) throws {
        if text == "auto" { (learned, initial) = (true, 1); return }
        let number = Double(text.hasPrefix("auto_") ? String(text.dropFirst(5)) : text)
        guard let number, number.isFinite, number > 0 else { throw HyperparameterError.invalid(name: "ent_coef", value: text, expected: "") }
        (learned, initial) = (text.hasPrefix("auto_"), number)
    }
}

// MARK: - Agent

public final class SAC: DeepAgent {
    public static let id = "sac"
    public let config: SACHyperparameters
    /// A squashed Gaussian (`SquashedGaussianActor`), or with `use_sde` a `StateDependentActor`.
    public let actor: any SquashedPolicy
    public let critic: ContinuousCritic
    public let criticTarget: ContinuousCritic
    /// log α, learned when `ent_coef` is auto.
    public let logAlpha: Parameter
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private var gradientUpdates = 0
    private let temperature: Temperature
    private let targetEntropy: Float
    private let actorOptimizer: Adam, criticOptimizer: Adam, alphaOptimizer: Adam
    private var environments: any BatchedEnvironment
    /// The replay buffer, with HER's episode index.
    private var memory: ReplayMemory
    private var generator: RandomGenerator
    private let scale: ActionScale
    /// gSDE's exploration weights ε for each environment copy while collecting (drawn at each collection's start).
    private var explorationNoise: [[Float]] = []

    public init(environment: any DynamicEnvironment, config: SACHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        scale = try ActionScale(environment.actionSpace)
        (self.config, self.seed, self.totalSteps) = (config, seed, totalSteps ?? config.nTimesteps)
        temperature = try Temperature(config.entCoef)
        targetEntropy = Float(config.targetEntropy ?? -Double(scale.dimension))
        let size = environment.observationSpace.flatCount, actions = scale.dimension
        try MemoryBudget.check("buffer_size=\(config.bufferSize)", count: config.bufferSize,
                               bytesEach: (2 * size + actions + 2) * MemoryLayout<Float>.size)
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: size + actions, outputs: 2 * actions, copies: 5, batch: config.batchSize)
        generator = RandomGenerator(seed: seed)
        if config.useSde {
            actor = StateDependentActor(observationSize: size, actionSize: actions, hidden: config.netArch,
                                        logStdInit: Float(config.logStdInit), using: &generator)
        } else {
            actor = SquashedGaussianActor(observationSize: size, actionSize: actions, hidden: config.netArch, using: &generator)
        }
        critic = ContinuousCritic(observationSize: size, actionSize: actions, hidden: config.netArch, count: 2, using: &generator)
        criticTarget = ContinuousCritic(observationSize: size, actionSize: actions, hidden: config.netArch, count: 2, using: &generator)
        polyakUpdate(criticTarget, from: critic, tau: 1)
        logAlpha = Parameter(Tensor([Float(Foundation.log(temperature.initial))]))
        let rate = Float(config.learningRate.initial)
        (actorOptimizer, criticOptimizer, alphaOptimizer) = (Adam(actor.parameters, learningRate: rate),
                                                             Adam(critic.parameters, learningRate: rate),
                                                             Adam([logAlpha], learningRate: rate))
        environments = try environment.batched(copies: config.nEnvs)
        environments.reset(seed: seed)
        memory = try ReplayMemory(config, environment: environment, actionSize: actions)
    }

    /// Standard-normal numbers for sampling `rows` rows: ε per row and action, or gSDE's one matrix.
    private func noise(_ rows: Int) -> [Float] { (0..<actor.noiseCount(rows: rows)).map { _ in generator.nextNormal() } }

    /// Actions in [−1, 1] for each environment copy's observation: one sample per row, or with gSDE
    /// each copy's own exploration weights (SB3 keeps a matrix per environment).
    private func explore(_ observations: [Float]) -> [Float] {
        let n = environments.count, size = environments.observationSize
        guard config.useSde else { return withoutGrad { actor.sample(Tensor(observations, shape: [n, size]), noise: noise(n)).actions.scalars } }
        return withoutGrad {
            (0..<n).flatMap { i in
                actor.sample(Tensor(Array(observations[(i * size)..<((i + 1) * size)]), shape: [1, size]), noise: explorationNoise[i]).actions.scalars
            }
        }
    }

    public func iterate() throws -> TrainingReport {
        // MARK: Collect train_freq steps (uniform actions before learning_starts)
        let n = environments.count, d = scale.dimension
        var episodes: [EpisodeRecord] = []
        for step in 0..<config.trainFreq {
            // gSDE: new exploration weights as each collection starts, and every sde_sample_freq steps if positive.
            if config.useSde && (step == 0 || (config.sdeSampleFreq > 0 && step % config.sdeSampleFreq == 0)) {
                explorationNoise = (0..<n).map { _ in noise(1) }
            }
            let observations = environments.observations
            let warmingUp = stepsDone < config.learningStarts && !(config.useSde && config.useSdeAtWarmup)
            let actions: [Float] = warmingUp
                ? (0..<(n * d)).map { _ in Float(generator.nextUniformDouble() * 2 - 1) }
                : explore(observations)
            environments.step(flatActions: scale.environmentActions(actions))
            try ensureFiniteStep(of: environments, atStep: stepsDone)
            episodes += environments.finishedEpisodes.map(\.record)
            memory.addStep(observations: observations, actions: actions, of: environments)
            stepsDone += n
        }
        // MARK: Train
        var criticLosses: [Float] = [], actorLosses: [Float] = [], alphas: [Float] = []
        if stepsDone > config.learningStarts && memory.canSample {
            let steps = config.gradientSteps >= 0 ? config.gradientSteps : config.trainFreq * n
            for _ in 0..<steps {
                let (criticLoss, actorLoss, alpha) = try gradientStep()
                criticLosses.append(criticLoss); actorLosses.append(actorLoss); alphas.append(alpha)
            }
        }
        return TrainingReport(steps: stepsDone, metrics: [
            ("losses/qf_loss", mean(criticLosses)), ("losses/actor_loss", mean(actorLosses)), ("losses/alpha", mean(alphas)),
            ("charts/learning_rate", config.learningRate.value(progressRemaining: progressRemaining)),
        ], episodes: episodes)
    }

    /// One minibatch from the replay memory: uniform, or with HER a share of it given goals the episodes achieved.
    private func gradientStep() throws -> (critic: Float, actor: Float, alpha: Float) {
        try update(on: memory.sample(config.batchSize, using: &generator))
    }

    /// One gradient step on `batch` (actions in [−1, 1]): the temperature, then the critics, then
    /// the actor, then the targets. MBPO calls it with minibatches of imagined transitions.
    func update(on batch: ReplayBatch) throws -> (critic: Float, actor: Float, alpha: Float) {
        let rate = Float(config.learningRate.value(progressRemaining: progressRemaining))
        for optimizer in [actorOptimizer, criticOptimizer, alphaOptimizer] { optimizer.learningRate = rate }
        let size = memory.observationSize, d = memory.actionSize, b = batch.count
        let observations = Tensor(batch.observations, shape: [b, size])
        let nextObservations = Tensor(batch.nextObservations, shape: [b, size])
        let actions = Tensor(batch.actions, shape: [b, d])
        let rewards = Tensor(batch.rewards), notDone = Tensor(batch.terminated.map { 1 - $0 })
        // gSDE draws one θ_ε per gradient step for both (SB3's `reset_noise` before `action_log_prob` twice).
        let noiseNow = noise(b), noiseNext = config.useSde ? noiseNow : noise(b)

        // α as the step starts: the target and the actor's loss use it, and its own step comes after (SB3's order).
        let alpha = self.alpha
        // ã ~ π(·|s), reparameterised (the actor's loss differentiates through it), and Q(s, a); the
        // target shares nothing with them, so the core may compute it side by side.
        let ((sampled, logProbability, q), target) = evaluateTogether({
            let (sampled, logProbability) = actor.sample(observations, noise: noiseNow)
            return (sampled, logProbability, critic(observations, actions))
        }, {
            softTarget(rewards: rewards, notDone: notDone, nextObservations: nextObservations, nextNoise: noiseNext, alpha: alpha)
        })
        if temperature.learned {
            let loss = alphaLoss(logProbability: logProbability)
            alphaOptimizer.zeroGrad()
            loss.backward()
            alphaOptimizer.step()
        }
        let qLoss = criticLoss(q, target: target)
        try ensureFinite(qLoss.item, "the SAC critic loss at step \(stepsDone)")
        criticOptimizer.zeroGrad()
        qLoss.backward()
        criticOptimizer.step()
        let piLoss = actorLoss(observations: observations, sampled: sampled, logProbability: logProbability, alpha: alpha)
        try ensureFinite(piLoss.item, "the SAC actor loss at step \(stepsDone)")
        actorOptimizer.zeroGrad()
        piLoss.backward()
        actorOptimizer.step()
        // θ̄ ← τθ + (1 − τ)θ̄
        gradientUpdates += 1
        if gradientUpdates % config.targetUpdateInterval == 0 { polyakUpdate(criticTarget, from: critic, tau: Float(config.tau)) }
        return (qLoss.item, piLoss.item, alpha)
    }

    // MARK: - Losses

    /// The temperature α: learned (exp log α) or fixed.
    public var alpha: Float { temperature.learned ? Foundation.exp(logAlpha.value.item) : Float(temperature.initial) }

    /// J(α) = E[−α (log π(ã|s) + H̄)], taken on log α as SB3 does.
    public func alphaLoss(logProbability: Tensor) -> Tensor {
        -(logAlpha.value * (logProbability.detached() + targetEntropy)).mean()
    }

    /// y = r + γ(1 − d)(minⱼ Q̄ⱼ(s′, a′) − α log π(a′|s′)), a′ ~ π(·|s′); no gradient.
    public func softTarget(rewards: Tensor, notDone: Tensor, nextObservations: Tensor, nextNoise: [Float], alpha: Float) -> Tensor {
        withoutGrad {
            let (nextActions, nextLogProbability) = actor.sample(nextObservations, noise: nextNoise)
            let nextQ = criticTarget(nextObservations, nextActions)
            return rewards + Float(config.gamma) * notDone * (Tensor.minimum(nextQ[0], nextQ[1]) - alpha * nextLogProbability)
        }
    }

    /// J(Q) = ½ Σᵢ E[(Qᵢ(s, a) − y)²].
    public func criticLoss(observations: Tensor, actions: Tensor, target: Tensor) -> Tensor {
        criticLoss(critic(observations, actions), target: target)
    }

    func criticLoss(_ q: [Tensor], target: Tensor) -> Tensor {
        0.5 * (Loss.meanSquaredError(q[0], target) + Loss.meanSquaredError(q[1], target))
    }

    /// J(π) = E[α log π(ã|s) − minᵢ Qᵢ(s, ã)]. Only the actor learns from it, so the critics are
    /// frozen: the backward pass computes ∂Q/∂ã and skips their weight gradients.
    public func actorLoss(observations: Tensor, sampled: Tensor, logProbability: Tensor, alpha: Float) -> Tensor {
        let q = critic.withFrozenParameters { critic(observations, sampled) }
        return (alpha * logProbability - Tensor.minimum(q[0], q[1])).mean()
    }

    /// Actions in [−1, 1] sampled from π for `rows` rows of observations (MBPO's model rollouts).
    func sampleActions(_ observations: [Float], rows: Int) -> [Float] {
        withoutGrad { actor.sample(Tensor(observations, shape: [rows, memory.observationSize]), noise: noise(rows)).actions.scalars }
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        let input = Tensor(observation, shape: [1, observation.count])
        let scaled = withoutGrad {
            if deterministic { return actor.mode(input).scalars }
            // gSDE's current weights, as SB3's predict; a fresh draw before the first collection.
            return actor.sample(input, noise: explorationNoise.first ?? noise(1)).actions.scalars
        }
        return scale.environmentActions(scaled)
    }

    /// No action probabilities to draw for a continuous policy; the value is min Q(s, μ).
    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        let input = Tensor(observation, shape: [1, observation.count])
        let q = withoutGrad { critic(input, actor.mode(input)) }
        return ([], Double(Swift.min(q[0].item, q[1].item)))
    }

    // MARK: - Checkpoint

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        addLearner(to: &builder)
        try builder.addOffPolicyState(stepsDone: stepsDone, gradientUpdates: gradientUpdates, memory: memory,
                                      generator: generator, environments: environments)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try loadLearner(from: reader)
        (stepsDone, gradientUpdates, generator) = try reader.loadOffPolicyState(memory: &memory, environments: &environments)
    }

    /// The networks, log α and the optimisers, their names after `prefix` (MBPO keeps its SAC under "sac.").
    func addLearner(to builder: inout CheckpointBuilder, prefix: String = "") {
        builder.add(actor, as: prefix + "actor")
        builder.add(critic, as: prefix + "critic")
        builder.add(criticTarget, as: prefix + "critic_target")
        builder.add(logAlpha.value.scalars, as: prefix + "log_alpha")
        builder.add(actorOptimizer, as: prefix + "actor_optimizer")
        builder.add(criticOptimizer, as: prefix + "critic_optimizer")
        builder.add(alphaOptimizer, as: prefix + "alpha_optimizer")
    }

    func loadLearner(from reader: CheckpointReader, prefix: String = "") throws {
        try reader.load(actor, from: prefix + "actor")
        try reader.load(critic, from: prefix + "critic")
        try reader.load(criticTarget, from: prefix + "critic_target")
        let logAlphaValue = try reader.values(prefix + "log_alpha")
        guard logAlphaValue.count == 1, logAlphaValue[0].isFinite else { throw TrainingError.checkpoint("\(prefix)log_alpha is not one finite number") }
        logAlpha.assign(Tensor(logAlphaValue))
        try reader.load(actorOptimizer, from: prefix + "actor_optimizer")
        try reader.load(criticOptimizer, from: prefix + "critic_optimizer")
        try reader.load(alphaOptimizer, from: prefix + "alpha_optimizer")
    }

    /// The update counter and the generator: with the learner's tensors, all a component SAC continues from.
    var learnerProgress: (gradientUpdates: Int, generator: RandomGenerator) {
        get { (gradientUpdates, generator) }
        set { (gradientUpdates, generator) = newValue }
    }
}

extension SAC: ExperienceReplaying {
    public var replayBuffer: ReplayBuffer { memory.replay }
    public var replayCopies: Int { config.nEnvs }
}
