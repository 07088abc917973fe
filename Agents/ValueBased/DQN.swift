// Deep Q-Network — Mnih et al. (2015), "Human-level control through deep reinforcement
// learning", Nature 518 — as Stable-Baselines3 runs it (Huber loss, target network synced every
// `target_update_interval` environment steps with Polyak factor τ, linear ε schedule,
// `train_freq` / `gradient_steps`, gradient-norm clipping at 10). Options: Double DQN
// (van Hasselt, Guez & Silver, 2016) and a dueling head (Wang et al., 2016).
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// SB3's defaults; `zoo(for:)` gives rl-baselines3-zoo's tuned values (hyperparams/dqn.yml).
public struct DQNHyperparameters: HindsightSettings {
    public var nEnvs = 1
    public var nTimesteps = 1_000_000
    public var learningRate = ScheduledValue.constant(1e-4)
    public var bufferSize = 1_000_000
    public var learningStarts = 100
    public var batchSize = 32
    /// Polyak factor of the target update (1: a hard copy).
    public var tau = 1.0
    public var gamma = 0.99
    /// Environment steps (per copy) between training phases.
    public var trainFreq = 4
    /// Gradient steps per training phase; −1: as many as environment steps were collected.
    public var gradientSteps = 1
    /// Environment steps between target-network updates.
    public var targetUpdateInterval = 10_000
    public var explorationFraction = 0.1
    public var explorationInitialEps = 1.0
    public var explorationFinalEps = 0.05
    public var maxGradNorm = 10.0
    public var netArch = [64, 64]
    /// Double DQN: the online network picks the next action, the target network scores it.
    public var doubleQ = false
    public var dueling = false
    /// Hindsight experience replay (SB3's `replay_buffer_class: HerReplayBuffer`) on a goal task.
    public var her = false
    /// HER's k: relabelled transitions per real one.
    public var nSampledGoal = 4
    /// HER's goals: future, final or episode.
    public var goalSelectionStrategy = "future"

    public init() {}

    /// The zoo's settings are in hyperparams/dqn.yml (`zoo(for:)`); SB3's Q-networks use ReLU.
    public static let zooName = "dqn"
    public static let activationFunction = "nn.ReLU"

    public init(doubleQ: Bool) { self.doubleQ = doubleQ }

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
        .integer("target_update_interval", \.targetUpdateInterval, 1...Limits.steps),
        .number("exploration_fraction", \.explorationFraction, .closed(0, 1)),
        .number("exploration_initial_eps", \.explorationInitialEps, .closed(0, 1)),
        .number("exploration_final_eps", \.explorationFinalEps, .closed(0, 1)),
        .number("max_grad_norm", \.maxGradNorm, .above(0, upTo: 1e9)),
        .layers("net_arch", \.netArch, sizes: 1...Limits.layerSize),
        .flag("double_q", \.doubleQ),
        .flag("dueling", \.dueling),
    ] + hindsightRanges }
}

// MARK: - Agent

public final class DQN: DeepAgent {
    public static let id = "dqn"
    public var name: String { config.doubleQ ? "double-dqn" : Self.id }
    public let config: DQNHyperparameters
    public let qNetwork: QNetwork
    public let targetNetwork: QNetwork
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    public private(set) var explorationRate: Double
    private var calls = 0, gradientUpdates = 0
    private let optimizer: Adam
    private var environments: any BatchedEnvironment
    /// The replay buffer, with HER's episode index.
    private var memory: ReplayMemory
    private var generator: RandomGenerator
    private let actionCount: Int

    public init(environment: any DynamicEnvironment, config: DQNHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        self.seed = seed
        guard let actions = environment.actionSpace.discreteCount else {
            throw TrainingError.unsupported("DQN needs a Discrete action space, not \(environment.actionSpace)")
        }
        self.config = config
        self.totalSteps = totalSteps ?? config.nTimesteps
        actionCount = actions
        generator = RandomGenerator(seed: seed)
        let size = environment.observationSpace.flatCount
        // The replay buffer holds observation, next observation, action, reward and flag per transition.
        try MemoryBudget.check("buffer_size=\(config.bufferSize)", count: config.bufferSize, bytesEach: (2 * size + 3) * MemoryLayout<Float>.size)
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: size, outputs: actions, copies: 2, batch: config.batchSize)
        qNetwork = QNetwork(observationSize: size, actions: actions, hidden: config.netArch, dueling: config.dueling, using: &generator)
        targetNetwork = QNetwork(observationSize: size, actions: actions, hidden: config.netArch, dueling: config.dueling, using: &generator)
        targetNetwork.copyParameters(from: qNetwork)
        optimizer = Adam(qNetwork.parameters, learningRate: Float(config.learningRate.initial))
        environments = try environment.batched(copies: config.nEnvs)
        environments.reset(seed: seed)
        memory = try ReplayMemory(config, environment: environment, actionSize: 1)
        explorationRate = config.explorationInitialEps
    }

    /// SB3's linear schedule: from the initial to the final ε over the first
    /// `exploration_fraction` of training, then constant.
    private func exploration(progressRemaining: Double) -> Double {
        let elapsed = 1 - progressRemaining
        guard elapsed < config.explorationFraction else { return config.explorationFinalEps }
        return config.explorationInitialEps
            + (config.explorationFinalEps - config.explorationInitialEps) * elapsed / config.explorationFraction
    }

    public func iterate() throws -> TrainingReport {
        // MARK: Collect train_freq steps with ε-greedy actions
        let n = environments.count, size = environments.observationSize
        var episodes: [EpisodeRecord] = []
        for _ in 0..<config.trainFreq {
            let observations = environments.observations
            let actions: [Float]
            if stepsDone < config.learningStarts {
                actions = (0..<n).map { _ in Float(generator.nextInt(below: actionCount)) }
            } else {
                let greedy = withoutGrad { qNetwork(Tensor(observations, shape: [n, size])).argmax(alongAxis: 1) }
                actions = greedy.map { a in
                    generator.nextUniformDouble() < explorationRate ? Float(generator.nextInt(below: actionCount)) : Float(a)
                }
            }
            environments.step(flatActions: actions)
            try ensureFiniteStep(of: environments, atStep: stepsDone)
            episodes += environments.finishedEpisodes.map(\.record)
            memory.addStep(observations: observations, actions: actions, of: environments)
            stepsDone += n
            calls += 1
            if calls % Swift.max(config.targetUpdateInterval / n, 1) == 0 { updateTarget() }
            explorationRate = exploration(progressRemaining: progressRemaining)
        }
        // MARK: Train
        var losses: [Float] = []
        if stepsDone > config.learningStarts && memory.canSample {
            let steps = config.gradientSteps >= 0 ? config.gradientSteps : config.trainFreq * n
            for _ in 0..<steps { losses.append(try gradientStep()) }
        }
        let metrics: [(name: String, value: Double)] = [
            ("losses/td_loss", mean(losses)), ("charts/epsilon", explorationRate),
            ("charts/learning_rate", config.learningRate.value(progressRemaining: progressRemaining)),
        ]
        return TrainingReport(steps: stepsDone, metrics: metrics, episodes: episodes)
    }

    /// One minibatch step on L(θ) = E[Huber(Q(s, a; θ) − y)], the Huber loss between Q(s, a) and the
    /// target y computed with the target network θ̄ (the paper's squared error, as SB3 runs it).
    private func gradientStep() throws -> Float {
        optimizer.learningRate = Float(config.learningRate.value(progressRemaining: progressRemaining))
        // Uniform minibatches, or with HER a share of them given goals the episodes achieved.
        let batch = memory.sample(config.batchSize, using: &generator)
        let size = memory.observationSize, b = batch.count
        let nextObservations = Tensor(batch.nextObservations, shape: [b, size])
        let observations = Tensor(batch.observations, shape: [b, size])
        let (target, q) = evaluateTogether({
            // yⱼ = rⱼ + γ(1 − terminatedⱼ)·max_a′ Q̄(s′ⱼ, a′); Double DQN scores the online network's
            // choice instead, Q̄(s′ⱼ, argmax_a′ Q(s′ⱼ, a′)). No gradient flows into the target.
            withoutGrad {
                let nextQ = targetNetwork(nextObservations)
                let best = config.doubleQ ? nextQ.gather(alongLastAxis: qNetwork(nextObservations).argmax(alongAxis: 1))
                                          : nextQ.max(alongAxis: 1)
                let notDone = Tensor(batch.terminated.map { 1 - $0 })
                return Tensor(batch.rewards) + Float(config.gamma) * notDone * best
            }
        }, {
            qNetwork(observations).gather(alongLastAxis: batch.actions.map { Int($0) })  // Q(sⱼ, aⱼ)
        })
        let loss = Loss.huber(q, target)
        let value = loss.item
        try ensureFinite(value, "the DQN loss at step \(stepsDone)")
        optimizer.zeroGrad()
        loss.backward()
        clipGradientNorm(qNetwork.parameters, maxNorm: Float(config.maxGradNorm))
        optimizer.step()
        gradientUpdates += 1
        return value
    }

    /// θ̄ ← τθ + (1 − τ)θ̄ (a copy when τ = 1).
    private func updateTarget() {
        let tau = Float(config.tau)
        for (online, target) in zip(qNetwork.parameters, targetNetwork.parameters) {
            if tau == 1 { target.assign(online.value.detached()); continue }
            online.value.withUnsafeBufferPointer { source in
                target.update { t in for i in t.indices { t[i] = tau * source[i] + (1 - tau) * t[i] } }
            }
        }
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        if !deterministic && generator.nextUniformDouble() < explorationRate { return [Float(generator.nextInt(below: actionCount))] }
        return withoutGrad { [Float(qNetwork(Tensor(observation, shape: [1, observation.count])).argmax(alongAxis: 1)[0])] }
    }

    /// The ε-greedy distribution over actions and max_a Q(s, a).
    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        let q = withoutGrad { qNetwork(Tensor(observation, shape: [1, observation.count])).scalars }
        let best = q.indices.max { q[$0] < q[$1] } ?? 0
        let probabilities = q.indices.map { ($0 == best ? 1 - explorationRate : 0) + explorationRate / Double(q.count) }
        return (probabilities, Double(q[best]))
    }

    // MARK: - Checkpoint

    private struct Progress: Codable {
        var stepsDone: Int, calls: Int, gradientUpdates: Int, explorationRate: Double
        var replayCount: Int, replayPosition: Int
        var generator: RandomGenerator
        /// HER's episode being collected (nil without HER).
        var hindsightCurrentStart: Int?, hindsightCurrentLength: Int?
    }

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        builder.add(qNetwork, as: "q_network")
        builder.add(targetNetwork, as: "target_network")
        builder.add(optimizer, as: "optimizer")
        builder.addMemory(memory)
        let position = memory.position
        try builder.add(json: Progress(stepsDone: stepsDone, calls: calls, gradientUpdates: gradientUpdates,
                                       explorationRate: explorationRate, replayCount: position.replayCount,
                                       replayPosition: position.replayPosition, generator: generator,
                                       hindsightCurrentStart: position.hindsightCurrentStart,
                                       hindsightCurrentLength: position.hindsightCurrentLength), as: "progress")
        builder.metadata["environments"] = String(decoding: try environments.snapshot(), as: UTF8.self)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try reader.load(qNetwork, from: "q_network")
        try reader.load(targetNetwork, from: "target_network")
        try reader.load(optimizer, from: "optimizer")
        let progress = try reader.json(Progress.self, "progress")
        for (value, name) in [(progress.stepsDone, "steps_done"), (progress.calls, "calls"), (progress.gradientUpdates, "gradient_updates")] {
            _ = try reader.count(value, "progress." + name)
        }
        guard (0...1).contains(progress.explorationRate) else {
            throw TrainingError.checkpoint("progress.exploration_rate = \(progress.explorationRate) is not in 0…1")
        }
        try reader.loadMemory(into: &memory, at: ReplayMemoryPosition(
            replayCount: progress.replayCount, replayPosition: progress.replayPosition,
            hindsightCurrentStart: progress.hindsightCurrentStart, hindsightCurrentLength: progress.hindsightCurrentLength))
        try environments.restore(from: Data(try reader.string("environments").utf8))
        (stepsDone, calls, gradientUpdates) = (progress.stepsDone, progress.calls, progress.gradientUpdates)
        (explorationRate, generator) = (progress.explorationRate, progress.generator)
    }
}

extension DQN: ExperienceReplaying {
    public var replayBuffer: ReplayBuffer { memory.replay }
    public var replayCopies: Int { config.nEnvs }
}
