// Batch-constrained Q-learning for discrete actions — Fujimoto, Conti, Ghavamzadeh & Pineau
// (2019), "Benchmarking Batch Deep Reinforcement Learning Algorithms", arXiv:1910.01708, as
// d3rlpy's DiscreteBCQ runs it. An imitator G_ω(a|s) learns the data's behaviour; Q is learned
// and acted on only over actions the imitator finds plausible:
//     A(s) = {a : G_ω(a|s) / max_â G_ω(â|s) > τ},   π(s) = argmax_{a ∈ A(s)} Q(s, a),
//     L = E[Huber(Q(s,a) − r − γ(1 − d) Q̄(s′, π(s′)))] + E[−log G_ω(a|s)] + β·E[logits²].
import Datasets
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// d3rlpy's DiscreteBCQ defaults (τ = action_flexibility 0.3, β 0.5); hyperparams/bcq.yml holds
/// the peer's CartPole-v1 settings.
public struct DiscreteBCQHyperparameters: Hyperparameters {
    public var nTimesteps = 20_000
    public var dataset = ""
    public var learningRate = ScheduledValue.constant(6.25e-5)
    public var batchSize = 32
    public var gamma = 0.99
    public var targetUpdateInterval = 8_000
    /// τ: actions below this fraction of the imitator's most likely one are never chosen.
    public var actionFlexibility = 0.3
    /// The imitator's logit penalty.
    public var beta = 0.5
    public var netArch = [256, 256]

    public init() {}

    public static let zooName = "bcq"
    public static let activationFunction = "nn.ReLU"

    public static var ranges: [ParameterRange<Self>] {
        offlineQRanges + [.number("action_flexibility", \.actionFlexibility, .above(0, upTo: 1)), .number("beta", \.beta, .closed(0, 1e6))]
    }
}

// MARK: - Agent

public final class DiscreteBCQ: DeepAgent {
    public static let id = "bcq"
    public let config: DiscreteBCQHyperparameters
    public let qNetwork: QNetwork, targetNetwork: QNetwork
    /// G_ω: logits of the behaviour policy.
    public let imitator: Sequential
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private let optimizer: Adam
    private let data: OfflineData
    private var generator: RandomGenerator

    public init(environment: any DynamicEnvironment, config: DiscreteBCQHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        (self.config, self.seed, self.totalSteps) = (config, seed, totalSteps ?? config.nTimesteps)
        data = try OfflineData(path: config.dataset, environment: environment)
        try data.requireBootstrappable()
        let actions = try offlineDiscreteActions(environment, data), size = data.dataset.observationSize
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: size, outputs: actions, copies: 3, batch: config.batchSize)
        generator = RandomGenerator(seed: seed)
        qNetwork = QNetwork(observationSize: size, actions: actions, hidden: config.netArch, dueling: false, using: &generator)
        targetNetwork = QNetwork(observationSize: size, actions: actions, hidden: config.netArch, dueling: false, using: &generator)
        targetNetwork.copyParameters(from: qNetwork)
        imitator = Sequential.mlp([size] + config.netArch + [actions], activation: .relu, using: &generator)
        // One optimiser over both networks, as d3rlpy.
        optimizer = Adam(qNetwork.parameters + imitator.parameters, learningRate: Float(config.learningRate.initial))
    }

    public func iterate() throws -> TrainingReport {
        var tdLosses: [Float] = [], imitatorLosses: [Float] = []
        for _ in 0..<Swift.min(offlineUpdatesPerIteration, Swift.max(totalSteps - stepsDone, 1)) {
            optimizer.learningRate = Float(config.learningRate.value(progressRemaining: progressRemaining))
            let batch = data.batch(config.batchSize, bootstrapping: true, using: &generator)
            let (td, imitation) = losses(batch)
            let loss = td + imitation
            try ensureFinite(loss.item, "the BCQ loss at gradient step \(stepsDone)")
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            tdLosses.append(td.item)
            imitatorLosses.append(imitation.item)
            stepsDone += 1
            if stepsDone % config.targetUpdateInterval == 0 { targetNetwork.copyParameters(from: qNetwork) }
        }
        return TrainingReport(steps: stepsDone, metrics: [
            ("losses/td_loss", mean(tdLosses)), ("losses/imitator_loss", mean(imitatorLosses)),
            ("charts/learning_rate", config.learningRate.value(progressRemaining: progressRemaining)),
        ], episodes: [])
    }

    /// The Double DQN error with filtered next actions, and the imitator's loss.
    public func losses(_ batch: ReplayBatch) -> (td: Tensor, imitation: Tensor) {
        let size = data.dataset.observationSize, b = batch.count
        let observations = Tensor(batch.observations, shape: [b, size]), next = Tensor(batch.nextObservations, shape: [b, size])
        let nextActions = withoutGrad { filteredBestActions(q: qNetwork(next), logits: imitator(next)) }
        let td = doubleDQNError(taken: qNetwork(observations).gather(alongLastAxis: batch.actionIndices),
                                targetNext: withoutGrad { targetNetwork(next) }, nextActions: nextActions,
                                rewards: batch.rewards, terminated: batch.terminated, gamma: Float(config.gamma))
        let logits = imitator(observations)
        let imitation = Loss.crossEntropy(logits: logits, targets: batch.actions.map { Int($0) }) + Float(config.beta) * (logits * logits).mean()
        return (td, imitation)
    }

    /// argmax Q over the actions whose imitator probability is above τ times the largest, row by
    /// row (log G(a|s) − max log G > log τ, as d3rlpy compares it).
    public func filteredBestActions(q: Tensor, logits: Tensor) -> [Int] {
        let rows = q.shape[0], actions = q.shape[1]
        let logProbabilities = logits.logSoftmax(alongAxis: 1).scalars, values = q.scalars
        let threshold = Foundation.log(Float(config.actionFlexibility))
        return (0..<rows).map { r in
            let row = logProbabilities[(r * actions)..<((r + 1) * actions)]
            let top = row.max() ?? 0
            var best = -1
            for a in 0..<actions where row[r * actions + a] - top > threshold {
                if best < 0 || values[r * actions + a] > values[r * actions + best] { best = a }
            }
            return best >= 0 ? best : row.firstIndex(of: top)! - r * actions  // the most likely action always passes
        }
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        let input = Tensor(observation, shape: [1, observation.count])
        return [Float(withoutGrad { filteredBestActions(q: qNetwork(input), logits: imitator(input)) }[0])]
    }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        let input = Tensor(observation, shape: [1, observation.count])
        let (probabilities, q) = withoutGrad { (imitator(input).softmax().scalars, qNetwork(input).scalars) }
        return (probabilities.map(Double.init), Double(q.max() ?? 0))
    }

    // MARK: - Checkpoint

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        builder.add(qNetwork, as: "q_network")
        builder.add(targetNetwork, as: "target_network")
        builder.add(imitator, as: "imitator")
        builder.add(optimizer, as: "optimizer")
        try builder.addOfflineProgress(stepsDone: stepsDone, generator: generator, data: data)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try reader.load(qNetwork, from: "q_network")
        try reader.load(targetNetwork, from: "target_network")
        try reader.load(imitator, from: "imitator")
        try reader.load(optimizer, from: "optimizer")
        (stepsDone, generator) = try reader.loadOfflineProgress(data: data)
    }
}
