// Behaviour cloning: supervised learning of the dataset's actions — Pomerleau (1991); the
// offline-RL baseline as d3rlpy's DiscreteBC and BC run it. Discrete actions: maximise
// log π(a|s) with d3rlpy's logit penalty, L = −E[log softmax(f(s))ₐ] + β·E[f(s)²]; continuous
// actions: a deterministic tanh policy, L = E[‖μ(s) − a‖²]. No reward is used.
import Datasets
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// d3rlpy's DiscreteBC defaults (learning rate 1e-3, batch 100, β 0.5); `zoo(for:)` reads
/// hyperparams/bc.yml, whose CartPole-v1 entry is the peer's (batch 256, [256, 256]).
public struct BCHyperparameters: Hyperparameters {
    /// Gradient steps (d3rlpy's `n_steps`).
    public var nTimesteps = 20_000
    /// A Minari dataset folder or a D4RL-style `.npz` file.
    public var dataset = ""
    public var learningRate = ScheduledValue.constant(1e-3)
    public var batchSize = 100
    /// The logit penalty β (discrete actions).
    public var beta = 0.5
    public var netArch = [256, 256]

    public init() {}

    public static let zooName = "bc"
    public static let activationFunction = "nn.ReLU"

    public static var ranges: [ParameterRange<Self>] { [
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        ParameterRange("dataset", expected: "a path (a Minari folder or a .npz file)", accepts: { _ in true }, value: \.dataset),
        .schedule("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .integer("batch_size", \.batchSize, 1...Limits.batch),
        .number("beta", \.beta, .closed(0, 1e6)),
        .layers("net_arch", \.netArch, sizes: 1...Limits.layerSize),
    ] }
}

// MARK: - Agent

public final class BC: DeepAgent {
    public static let id = "bc"
    public let config: BCHyperparameters
    /// Logits over the actions, or the pre-tanh action.
    public let policy: Sequential
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private let optimizer: Adam
    private let data: OfflineData
    private var generator: RandomGenerator
    private let discrete: Bool
    private let scale: ActionScale?

    public init(environment: any DynamicEnvironment, config: BCHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        (self.config, self.seed, self.totalSteps) = (config, seed, totalSteps ?? config.nTimesteps)
        data = try OfflineData(path: config.dataset, environment: environment)
        discrete = data.dataset.discreteActions != nil
        scale = discrete ? nil : try ActionScale(environment.actionSpace)
        let outputs = environment.actionSpace.discreteCount ?? data.dataset.actionSize
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: data.dataset.observationSize, outputs: outputs, copies: 1, batch: config.batchSize)
        generator = RandomGenerator(seed: seed)
        policy = Sequential.mlp([data.dataset.observationSize] + config.netArch + [outputs], activation: .relu, using: &generator)
        optimizer = Adam(policy.parameters, learningRate: Float(config.learningRate.initial))
    }

    public func iterate() throws -> TrainingReport {
        var losses: [Float] = []
        for _ in 0..<Swift.min(offlineUpdatesPerIteration, Swift.max(totalSteps - stepsDone, 1)) {
            optimizer.learningRate = Float(config.learningRate.value(progressRemaining: progressRemaining))
            let batch = data.batch(config.batchSize, bootstrapping: false, using: &generator)
            let loss = imitationLoss(observations: Tensor(batch.observations, shape: [batch.count, data.dataset.observationSize]),
                                     actions: batch.actions)
            try ensureFinite(loss.item, "the BC loss at gradient step \(stepsDone)")
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item)
            stepsDone += 1
        }
        return TrainingReport(steps: stepsDone, metrics: [("losses/bc_loss", mean(losses)),
                                                          ("charts/learning_rate", config.learningRate.value(progressRemaining: progressRemaining))],
                              episodes: [])
    }

    /// Discrete: −E[log π(a|s)] + β·E[logits²] (d3rlpy's `compute_discrete_imitation_loss`);
    /// continuous: E[‖tanh f(s) − a‖²] with actions in [−1, 1].
    public func imitationLoss(observations: Tensor, actions: [Float]) -> Tensor {
        let output = policy(observations)
        guard discrete else {
            let scaled = scale?.scaledActions(actions) ?? actions
            return Loss.meanSquaredError(output.tanh(), Tensor(scaled, shape: output.shape))
        }
        return Loss.crossEntropy(logits: output, targets: actions.map { Int($0) }) + Float(config.beta) * (output * output).mean()
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        let output = withoutGrad { policy(Tensor(observation, shape: [1, observation.count])) }
        guard discrete else { return scale?.environmentActions(output.tanh().scalars) ?? output.tanh().scalars }
        return [Float(output.argmax(alongAxis: 1)[0])]
    }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        guard discrete else { return ([], nil) }
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
        try builder.addOfflineProgress(stepsDone: stepsDone, generator: generator, data: data)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try reader.load(policy, from: "policy")
        try reader.load(optimizer, from: "optimizer")
        (stepsDone, generator) = try reader.loadOfflineProgress(data: data)
    }
}
