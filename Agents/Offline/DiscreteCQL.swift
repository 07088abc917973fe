// Conservative Q-learning for discrete actions — Kumar, Zhou, Tucker & Levine (2020), "Conservative
// Q-Learning for Offline Reinforcement Learning", arXiv:2006.04779, §3.2 (CQL(H)) on Double DQN, as
// d3rlpy's DiscreteCQL runs it:
//     L(θ) = E_D[Huber(Q(s,a) − y)] + α · E_D[log Σ_a′ exp Q(s,a′) − Q(s,a)],
//     y = r + γ(1 − d) Q̄(s′, argmax_a′ Q(s′,a′)).
// The regulariser pushes down the soft maximum of Q over all actions and up the value of the
// action in the data: actions the data never took cannot look better than those it did.
import Datasets
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// d3rlpy's DiscreteCQL defaults; hyperparams/cql.yml holds the peer's CartPole-v1 settings.
public struct DiscreteCQLHyperparameters: Hyperparameters {
    /// Gradient steps (d3rlpy's `n_steps`).
    public var nTimesteps = 20_000
    public var dataset = ""
    public var learningRate = ScheduledValue.constant(6.25e-5)
    public var batchSize = 32
    public var gamma = 0.99
    /// Gradient steps between hard copies of the Q-network into its target.
    public var targetUpdateInterval = 8_000
    /// α: the weight of the conservative regulariser.
    public var alpha = 1.0
    public var netArch = [256, 256]

    public init() {}

    public static let zooName = "cql"
    public static let activationFunction = "nn.ReLU"

    public static var ranges: [ParameterRange<Self>] { offlineQRanges + [.number("alpha", \.alpha, .closed(0, 1e6))] }
}

// MARK: - Agent

public final class DiscreteCQL: DeepAgent {
    public static let id = "cql"
    public let config: DiscreteCQLHyperparameters
    public let qNetwork: QNetwork, targetNetwork: QNetwork
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private let optimizer: Adam
    private let data: OfflineData
    private var generator: RandomGenerator

    public init(environment: any DynamicEnvironment, config: DiscreteCQLHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        (self.config, self.seed, self.totalSteps) = (config, seed, totalSteps ?? config.nTimesteps)
        data = try OfflineData(path: config.dataset, environment: environment)
        try data.requireBootstrappable()
        let actions = try offlineDiscreteActions(environment, data)
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: data.dataset.observationSize, outputs: actions, copies: 2, batch: config.batchSize)
        generator = RandomGenerator(seed: seed)
        qNetwork = QNetwork(observationSize: data.dataset.observationSize, actions: actions, hidden: config.netArch, dueling: false, using: &generator)
        targetNetwork = QNetwork(observationSize: data.dataset.observationSize, actions: actions, hidden: config.netArch, dueling: false, using: &generator)
        targetNetwork.copyParameters(from: qNetwork)
        optimizer = Adam(qNetwork.parameters, learningRate: Float(config.learningRate.initial))
    }

    public func iterate() throws -> TrainingReport {
        var tdLosses: [Float] = [], conservativeLosses: [Float] = []
        for _ in 0..<Swift.min(offlineUpdatesPerIteration, Swift.max(totalSteps - stepsDone, 1)) {
            optimizer.learningRate = Float(config.learningRate.value(progressRemaining: progressRemaining))
            let batch = data.batch(config.batchSize, bootstrapping: true, using: &generator)
            let (td, conservative) = losses(batch)
            let loss = td + Float(config.alpha) * conservative
            try ensureFinite(loss.item, "the CQL loss at gradient step \(stepsDone)")
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            tdLosses.append(td.item)
            conservativeLosses.append(conservative.item)
            stepsDone += 1
            if stepsDone % config.targetUpdateInterval == 0 { targetNetwork.copyParameters(from: qNetwork) }
        }
        return TrainingReport(steps: stepsDone, metrics: [
            ("losses/td_loss", mean(tdLosses)), ("losses/conservative_loss", mean(conservativeLosses)),
            ("charts/learning_rate", config.learningRate.value(progressRemaining: progressRemaining)),
        ], episodes: [])
    }

    /// The Double DQN error and the CQL(H) regulariser on one minibatch.
    public func losses(_ batch: ReplayBatch) -> (td: Tensor, conservative: Tensor) {
        let size = data.dataset.observationSize, b = batch.count
        let observations = Tensor(batch.observations, shape: [b, size]), next = Tensor(batch.nextObservations, shape: [b, size])
        let bestNext = withoutGrad { qNetwork(next).argmax(alongAxis: 1) }
        let q = qNetwork(observations)  // Q(s, ·): both terms differentiate through it
        let td = doubleDQNError(taken: q.gather(alongLastAxis: batch.actionIndices), targetNext: withoutGrad { targetNetwork(next) },
                                nextActions: bestNext, rewards: batch.rewards, terminated: batch.terminated, gamma: Float(config.gamma))
        return (td, conservativeRegulariser(q, actions: batch.actionIndices))
    }

    /// E[log Σ_a′ exp Q(s,a′) − Q(s,a)] over the rows of `q` ([batch, actions]).
    public func conservativeRegulariser(_ q: Tensor, actions: [Int]) -> Tensor {
        (q.logSumExp(alongAxis: 1) - q.gather(alongLastAxis: actions)).mean()
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        [Float(withoutGrad { qNetwork(Tensor(observation, shape: [1, observation.count])).argmax(alongAxis: 1)[0] })]
    }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        let q = withoutGrad { qNetwork(Tensor(observation, shape: [1, observation.count])).scalars }
        return ([], Double(q.max() ?? 0))
    }

    // MARK: - Checkpoint

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        builder.add(qNetwork, as: "q_network")
        builder.add(targetNetwork, as: "target_network")
        builder.add(optimizer, as: "optimizer")
        try builder.addOfflineProgress(stepsDone: stepsDone, generator: generator, data: data)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try reader.load(qNetwork, from: "q_network")
        try reader.load(targetNetwork, from: "target_network")
        try reader.load(optimizer, from: "optimizer")
        (stepsDone, generator) = try reader.loadOfflineProgress(data: data)
    }
}
