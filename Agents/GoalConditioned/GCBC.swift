// Goal-conditioned behaviour cloning: imitate your own experience, relabelled with the goals it
// reached. Ghosh, Gupta, Reddy, Fu, Devin, Eysenbach & Levine (2019), "Learning to Reach Goals
// via Iterated Supervised Learning" (GCSL), arXiv:1912.06088 — the GCBC baseline of Lynch et al.
// (2019) and Emmons et al. (2021). Any trajectory is an optimal demonstration of how to reach the
// states it went on to visit: from sₜ, action aₜ led to ag_{t′+1} for every t′ ≥ t, so
//     max_π E_{(sₜ, aₜ, g′ = ag_{t′+1})} [log π(aₜ | sₜ, g′)]
// with no reward and no critic. Collect with the current policy, relabel every sampled row with a
// future achieved goal (HER's `future`, all rows), fit π by cross-entropy (discrete actions) or
// by squared error of a deterministic tanh policy (continuous actions, a Gaussian of fixed σ).
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// GCSL's settings where the paper gives them (learning rate 5e-4, batch 256, every step a
/// gradient step); `zoo(for:)` reads hyperparams/gcbc.yml.
public struct GCBCHyperparameters: Hyperparameters {
    public var nEnvs = 1
    public var nTimesteps = 100_000
    public var learningRate = ScheduledValue.constant(5e-4)
    public var bufferSize = 1_000_000
    /// Uniformly random actions until then: the first demonstrations.
    public var learningStarts = 1_000
    public var batchSize = 256
    public var trainFreq = 1
    public var gradientSteps = 1
    /// Which future achieved goal relabels a row: future (GCSL), final or episode.
    public var goalSelectionStrategy = "future"
    /// Exploration while collecting: a uniformly random action with this probability (discrete),
    /// or N(0, σ) added to the action in [−1, 1] (continuous).
    public var explorationEps = 0.1
    public var actionNoiseStd = 0.2
    public var netArch = [256, 256]

    public init() {}

    public static let zooName = "gcbc"
    public static let activationFunction = "nn.ReLU"

    public static var ranges: [ParameterRange<Self>] { [
        .integer("n_envs", \.nEnvs, 1...1),
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        .schedule("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .integer("buffer_size", \.bufferSize, 1...Limits.steps),
        .integer("learning_starts", \.learningStarts, 0...Limits.steps),
        .integer("batch_size", \.batchSize, 1...Limits.batch),
        .integer("train_freq", \.trainFreq, 1...Limits.steps),
        .integer("gradient_steps", \.gradientSteps, 0...Limits.batch),
        ParameterRange("goal_selection_strategy", expected: "future, final or episode",
                       accepts: { HindsightReplay.Strategy(rawValue: $0.goalSelectionStrategy) != nil }, value: \.goalSelectionStrategy),
        .number("exploration_eps", \.explorationEps, .closed(0, 1)),
        .number("action_noise_std", \.actionNoiseStd, .closed(0, 10)),
        .layers("net_arch", \.netArch, sizes: 1...Limits.layerSize),
    ] }
}

// MARK: - Agent

public final class GCBC: DeepAgent {
    public static let id = "gcbc"
    public let config: GCBCHyperparameters
    /// π(· | s, g): logits over the actions, or the pre-tanh action in [−1, 1]ᵈ.
    public let policy: Sequential
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private var gradientUpdates = 0
    private let optimizer: Adam
    private var environments: any BatchedEnvironment
    /// Every transition, with the episode index that relabels them.
    private var memory: ReplayMemory
    private var generator: RandomGenerator
    /// The number of discrete actions, or nil with continuous ones (scaled by `scale`).
    private let actionCount: Int?
    private let scale: ActionScale?

    public init(environment: any DynamicEnvironment, config: GCBCHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        guard environment.goalModel != nil else {
            throw TrainingError.unsupported("gcbc needs a goal-conditioned environment (BitFlip-v0, GoalGridworld-v0, PointMass-v0)")
        }
        (self.config, self.seed, self.totalSteps) = (config, seed, totalSteps ?? config.nTimesteps)
        actionCount = environment.actionSpace.discreteCount
        scale = actionCount == nil ? try ActionScale(environment.actionSpace) : nil
        let size = environment.observationSpace.flatCount, outputs = actionCount ?? scale?.dimension ?? 0
        let stored = actionCount == nil ? outputs : 1
        try MemoryBudget.check("buffer_size=\(config.bufferSize)", count: config.bufferSize, bytesEach: (2 * size + stored + 2) * MemoryLayout<Float>.size)
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: size, outputs: outputs, copies: 1, batch: config.batchSize)
        generator = RandomGenerator(seed: seed)
        policy = Sequential.mlp([size] + config.netArch + [outputs], activation: .relu, using: &generator)
        optimizer = Adam(policy.parameters, learningRate: Float(config.learningRate.initial))
        environments = try environment.batched(copies: 1)
        environments.reset(seed: seed)
        memory = try ReplayMemory(capacity: config.bufferSize, environment: environment, actionSize: stored,
                                  hindsight: HindsightReplay.Strategy(rawValue: config.goalSelectionStrategy) ?? .future, sampledGoals: 1)
    }

    /// An action to collect with: uniform before `learning_starts`, then the policy's with exploration.
    private func explore(_ observation: [Float]) -> [Float] {
        if let actionCount {
            guard stepsDone >= config.learningStarts, generator.nextUniformDouble() >= config.explorationEps else {
                return [Float(generator.nextInt(below: actionCount))]
            }
            return act(observation, deterministic: false)
        }
        let d = scale?.dimension ?? 0
        guard stepsDone >= config.learningStarts else { return (0..<d).map { _ in Float(generator.nextUniformDouble() * 2 - 1) } }
        let mean = withoutGrad { policy(Tensor(observation, shape: [1, observation.count])).tanh().scalars }
        return mean.map { Swift.min(Swift.max($0 + Float(config.actionNoiseStd) * generator.nextNormal(), -1), 1) }
    }

    public func iterate() throws -> TrainingReport {
        // MARK: Collect train_freq steps
        var episodes: [EpisodeRecord] = []
        for _ in 0..<config.trainFreq {
            let observations = environments.observations
            let actions = explore(observations)  // discrete: the index; continuous: in [−1, 1]
            environments.step(flatActions: scale?.environmentActions(actions) ?? actions)
            try ensureFiniteStep(of: environments, atStep: stepsDone)
            episodes += environments.finishedEpisodes.map(\.record)
            memory.addStep(observations: observations, actions: actions, of: environments)
            stepsDone += 1
        }
        // MARK: Fit π to the relabelled data
        var losses: [Float] = []
        if stepsDone > config.learningStarts && memory.canSample {
            for _ in 0..<config.gradientSteps { losses.append(try gradientStep()) }
        }
        return TrainingReport(steps: stepsDone, metrics: [
            ("losses/bc_loss", mean(losses)),
            ("charts/learning_rate", config.learningRate.value(progressRemaining: progressRemaining)),
        ], episodes: episodes)
    }

    /// One minibatch, every row relabelled with a goal its episode reached later.
    private func gradientStep() throws -> Float {
        optimizer.learningRate = Float(config.learningRate.value(progressRemaining: progressRemaining))
        let batch = memory.sample(config.batchSize, relabellingAll: true, using: &generator)
        let loss = bcLoss(observations: Tensor(batch.observations, shape: [batch.count, memory.observationSize]), actions: batch.actions)
        try ensureFinite(loss.item, "the GCBC loss at step \(stepsDone)")
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        gradientUpdates += 1
        return loss.item
    }

    /// −E[log π(aₜ | sₜ, g′)]: the cross-entropy of the logits (discrete), or ‖tanh(f(sₜ, g′)) − aₜ‖²
    /// averaged over rows and dimensions (continuous: log π of a fixed-σ Gaussian up to a constant).
    public func bcLoss(observations: Tensor, actions: [Float]) -> Tensor {
        let output = policy(observations)
        if actionCount != nil { return Loss.crossEntropy(logits: output, targets: actions.map { Int($0) }) }
        return Loss.meanSquaredError(output.tanh(), Tensor(actions, shape: output.shape))
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        let output = withoutGrad { policy(Tensor(observation, shape: [1, observation.count])) }
        guard actionCount != nil else {
            var action = output.tanh().scalars
            if !deterministic && config.actionNoiseStd > 0 {
                action = action.map { Swift.min(Swift.max($0 + Float(config.actionNoiseStd) * generator.nextNormal(), -1), 1) }
            }
            return scale?.environmentActions(action) ?? action
        }
        if deterministic { return [Float(output.argmax(alongAxis: 1)[0])] }
        let probabilities = output.softmax().scalars  // GCSL samples its own policy
        var u = Float(generator.nextUniformDouble()), choice = probabilities.count - 1
        for (i, p) in probabilities.enumerated() {
            u -= p
            if u < 0 { choice = i; break }
        }
        return [Float(choice)]
    }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        guard actionCount != nil else { return ([], nil) }
        let output = withoutGrad { policy(Tensor(observation, shape: [1, observation.count])) }
        return (output.softmax().scalars.map(Double.init), nil)
    }

    // MARK: - Checkpoint

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        builder.add(policy, as: "policy")
        builder.add(optimizer, as: "optimizer")
        try builder.addOffPolicyState(stepsDone: stepsDone, gradientUpdates: gradientUpdates, memory: memory,
                                      generator: generator, environments: environments)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try reader.load(policy, from: "policy")
        try reader.load(optimizer, from: "optimizer")
        (stepsDone, gradientUpdates, generator) = try reader.loadOffPolicyState(memory: &memory, environments: &environments)
    }
}
