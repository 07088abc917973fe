// Implicit Q-learning — Kostrikov, Nair & Levine (2021), "Offline Reinforcement Learning with
// Implicit Q-Learning", arXiv:2110.06169 — for discrete and continuous actions, as d3rlpy's IQL
// runs the continuous case. No action outside the data is ever evaluated: V is an upper expectile
// of Q over the data's actions, Q regresses on V at the next state, and the policy is extracted
// by advantage-weighted regression:
//     L_V = E[L₂^τ(min_i Q̄_i(s,a) − V(s))],   L₂^τ(u) = |τ − 1(u < 0)|·u²
//     L_Q = Σ_i E[(r + γ(1 − d)V(s′) − Q_i(s,a))²]
//     L_π = −E[min(exp(β(min_i Q̄_i(s,a) − V(s))), 100) · log π(a|s)]
import Datasets
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// d3rlpy's IQL defaults (expectile 0.7, weight_temp 3, max_weight 100, τ 0.005, two critics).
public struct IQLHyperparameters: Hyperparameters {
    public var nTimesteps = 20_000
    public var dataset = ""
    public var actorLearningRate = 3e-4
    public var criticLearningRate = 3e-4
    public var batchSize = 256
    public var gamma = 0.99
    /// Polyak coefficient of the target critics.
    public var tau = 0.005
    public var nCritics = 2
    /// τ of the expectile: 0.5 is the mean (SARSA's V), → 1 the maximum over the data's actions.
    public var expectile = 0.7
    /// β: the inverse temperature of the advantage weights.
    public var weightTemp = 3.0
    public var maxWeight = 100.0
    public var netArch = [256, 256]

    public init() {}

    public static let zooName = "iql"
    public static let activationFunction = "nn.ReLU"

    public static var ranges: [ParameterRange<Self>] {
        offlineActorCriticRanges + [
            .integer("n_critics", \.nCritics, 1...8),
            .number("expectile", \.expectile, .above(0, upTo: 0.999_999)),
            .number("weight_temp", \.weightTemp, .closed(0, 1e3)),
            .number("max_weight", \.maxWeight, .above(0, upTo: 1e9)),
        ]
    }
}

// MARK: - Agent

public final class IQL: DeepAgent {
    public static let id = "iql"
    public let config: IQLHyperparameters
    /// Q(s, ·) per critic for discrete actions; Q(s, a) for continuous ones.
    let discreteCritics: [QNetwork], discreteTargets: [QNetwork]
    let continuousCritic: ContinuousCritic?, continuousTarget: ContinuousCritic?
    public let value: Sequential
    /// Logits (discrete) or the pre-tanh mean (continuous; a Gaussian of learned state-independent σ).
    public let policy: Sequential
    public let logStd: Parameter
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private let actorOptimizer: Adam, criticOptimizer: Adam
    private let data: OfflineData
    private var generator: RandomGenerator
    private let actionCount: Int?
    private let scale: ActionScale?

    public init(environment: any DynamicEnvironment, config: IQLHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        (self.config, self.seed, self.totalSteps) = (config, seed, totalSteps ?? config.nTimesteps)
        data = try OfflineData(path: config.dataset, environment: environment)
        try data.requireBootstrappable()
        let size = data.dataset.observationSize
        actionCount = data.dataset.discreteActions != nil ? environment.actionSpace.discreteCount : nil
        scale = actionCount == nil ? try ActionScale(environment.actionSpace) : nil
        let outputs = actionCount ?? data.dataset.actionSize
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: size + outputs, outputs: outputs, copies: 2 * config.nCritics + 2,
                                       batch: config.batchSize)
        var rng = RandomGenerator(seed: seed)
        let hidden = config.netArch, critics = config.nCritics
        if let actionCount {
            discreteCritics = (0..<critics).map { _ in QNetwork(observationSize: size, actions: actionCount, hidden: hidden, dueling: false, using: &rng) }
            discreteTargets = (0..<critics).map { _ in QNetwork(observationSize: size, actions: actionCount, hidden: hidden, dueling: false, using: &rng) }
            for (target, online) in zip(discreteTargets, discreteCritics) { target.copyParameters(from: online) }
            (continuousCritic, continuousTarget) = (nil, nil)
        } else {
            (discreteCritics, discreteTargets) = ([], [])
            let critic = ContinuousCritic(observationSize: size, actionSize: outputs, hidden: hidden, count: critics, using: &rng)
            let target = ContinuousCritic(observationSize: size, actionSize: outputs, hidden: hidden, count: critics, using: &rng)
            polyakUpdate(target, from: critic, tau: 1)
            (continuousCritic, continuousTarget) = (critic, target)
        }
        value = Sequential.mlp([size] + hidden + [1], activation: .relu, using: &rng)
        policy = Sequential.mlp([size] + hidden + [outputs], activation: .relu, using: &rng)
        logStd = Parameter(Tensor([Float](repeating: 0, count: outputs)))
        generator = rng
        let criticParameters = (discreteCritics.flatMap(\.parameters) + (continuousCritic?.parameters ?? [])) + value.parameters
        criticOptimizer = Adam(criticParameters, learningRate: Float(config.criticLearningRate))
        actorOptimizer = Adam(policy.parameters + (actionCount == nil ? [logStd] : []), learningRate: Float(config.actorLearningRate))
    }

    public func iterate() throws -> TrainingReport {
        var criticLosses: [Float] = [], valueLosses: [Float] = [], actorLosses: [Float] = []
        for _ in 0..<Swift.min(offlineUpdatesPerIteration, Swift.max(totalSteps - stepsDone, 1)) {
            let batch = data.batch(config.batchSize, bootstrapping: true, using: &generator)
            // min_i Q̄_i(s, a) serves both losses: the targets move only after the actor's step.
            let pessimistic = targetQ(Tensor(batch.observations, shape: [batch.count, data.dataset.observationSize]), batch)
            let (q, v) = criticAndValueLosses(batch, targetQ: pessimistic)
            try ensureFinite(q.item + v.item, "the IQL critic loss at gradient step \(stepsDone)")
            criticOptimizer.zeroGrad()
            (q + v).backward()
            criticOptimizer.step()
            let pi = actorLoss(batch, targetQ: pessimistic)
            try ensureFinite(pi.item, "the IQL actor loss at gradient step \(stepsDone)")
            actorOptimizer.zeroGrad()
            pi.backward()
            actorOptimizer.step()
            for (target, online) in zip(discreteTargets, discreteCritics) { polyakUpdate(target, from: online, tau: Float(config.tau)) }
            if let continuousTarget, let continuousCritic { polyakUpdate(continuousTarget, from: continuousCritic, tau: Float(config.tau)) }
            criticLosses.append(q.item); valueLosses.append(v.item); actorLosses.append(pi.item)
            stepsDone += 1
        }
        return TrainingReport(steps: stepsDone, metrics: [
            ("losses/qf_loss", mean(criticLosses)), ("losses/value_loss", mean(valueLosses)), ("losses/actor_loss", mean(actorLosses)),
        ], episodes: [])
    }

    // MARK: - Losses

    /// The batch's actions as the networks read them: indices, or rows in [−1, 1].
    private func actions(_ batch: ReplayBatch) -> Tensor {
        Tensor(scale?.scaledActions(batch.actions) ?? batch.actions, shape: [batch.count, scale?.dimension ?? 1])
    }

    /// Each critic's Q(s, a) for the batch [N].
    private func qValues(_ observations: Tensor, _ batch: ReplayBatch, target: Bool) -> [Tensor] {
        if actionCount != nil {
            return (target ? discreteTargets : discreteCritics).map { $0(observations).gather(alongLastAxis: batch.actionIndices) }
        }
        return (target ? continuousTarget! : continuousCritic!)(observations, actions(batch))
    }

    /// min_i Q̄_i(s, a): the target critics' pessimistic value of the data's action, without gradient.
    private func targetQ(_ observations: Tensor, _ batch: ReplayBatch) -> Tensor {
        withoutGrad { let q = qValues(observations, batch, target: true); return q.dropFirst().reduce(q[0]) { Tensor.minimum($0, $1) } }
    }

    /// L_Q and L_V (`targetQ`: min_i Q̄_i(s, a) of the batch when already computed).
    public func criticAndValueLosses(_ batch: ReplayBatch, targetQ pessimistic: Tensor? = nil) -> (q: Tensor, v: Tensor) {
        let size = data.dataset.observationSize, b = batch.count
        let observations = Tensor(batch.observations, shape: [b, size]), next = Tensor(batch.nextObservations, shape: [b, size])
        let y = withoutGrad {
            Tensor(batch.rewards) + Float(config.gamma) * Tensor(batch.terminated.map { 1 - $0 }) * value(next).reshaped(to: [b])
        }
        let q = qValues(observations, batch, target: false)
        let qLoss = q.dropFirst().reduce(Loss.meanSquaredError(q[0], y)) { $0 + Loss.meanSquaredError($1, y) }
        return (qLoss, Self.expectileLoss(pessimistic ?? targetQ(observations, batch), value(observations).reshaped(to: [b]),
                                          expectile: Float(config.expectile)))
    }

    /// E[|τ − 1(u < 0)|·u²] with u = q − v: the asymmetric squared error whose minimiser v is
    /// q's τ-expectile (the weight is a constant, as d3rlpy detaches it).
    public static func expectileLoss(_ q: Tensor, _ v: Tensor, expectile: Float) -> Tensor {
        let u = q.detached() - v
        let weight = Tensor(u.scalars.map { abs(expectile - ($0 < 0 ? 1 : 0)) }, shape: u.shape)
        return (weight * u * u).mean()
    }

    /// L_π, advantage-weighted log-likelihood of the data's actions (`targetQ` as above).
    public func actorLoss(_ batch: ReplayBatch, targetQ pessimistic: Tensor? = nil) -> Tensor {
        let size = data.dataset.observationSize, b = batch.count
        let observations = Tensor(batch.observations, shape: [b, size])
        let advantage = withoutGrad { (pessimistic ?? targetQ(observations, batch)) - value(observations).reshaped(to: [b]) }
        let weights = Tensor(advantage.scalars.map { Swift.min(Foundation.exp(Float(config.weightTemp) * $0), Float(config.maxWeight)) })
        return -(weights * logProbability(observations, batch)).mean()
    }

    /// log π(a|s) of the data's actions: the categorical's, or a Gaussian's around tanh(mean) with
    /// σ = exp(log σ) clamped to [e⁻⁵, e²] (d3rlpy's NormalPolicy).
    func logProbability(_ observations: Tensor, _ batch: ReplayBatch) -> Tensor {
        let output = policy(observations)
        if actionCount != nil { return output.logSoftmax(picking: batch.actionIndices) }
        let d = scale!.dimension, b = batch.count
        let logStd = self.logStd.value.clamped(min: -5, max: 2).reshaped(to: [1, d])
        let z = (actions(batch) - output.tanh()) * (-logStd).exp()
        let perDimension = -0.5 * z * z - logStd - Float(0.5 * Foundation.log(2 * Double.pi))
        return perDimension.sum(alongAxis: 1).reshaped(to: [b])
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        let output = withoutGrad { policy(Tensor(observation, shape: [1, observation.count])) }
        guard actionCount != nil else { return scale!.environmentActions(output.tanh().scalars) }
        return [Float(output.argmax(alongAxis: 1)[0])]
    }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        let input = Tensor(observation, shape: [1, observation.count])
        let (output, v) = withoutGrad { (policy(input), value(input).item) }
        return (actionCount != nil ? output.softmax().scalars.map(Double.init) : [], Double(v))
    }

    // MARK: - Checkpoint

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        for (i, (online, target)) in zip(discreteCritics, discreteTargets).enumerated() {
            builder.add(online, as: "q\(i)")
            builder.add(target, as: "q\(i)_target")
        }
        if let continuousCritic, let continuousTarget {
            builder.add(continuousCritic, as: "critic")
            builder.add(continuousTarget, as: "critic_target")
        }
        builder.add(value, as: "value")
        builder.add(policy, as: "policy")
        builder.add(logStd.value.scalars, as: "log_std")
        builder.add(actorOptimizer, as: "actor_optimizer")
        builder.add(criticOptimizer, as: "critic_optimizer")
        try builder.addOfflineProgress(stepsDone: stepsDone, generator: generator, data: data)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        for (i, (online, target)) in zip(discreteCritics, discreteTargets).enumerated() {
            try reader.load(online, from: "q\(i)")
            try reader.load(target, from: "q\(i)_target")
        }
        if let continuousCritic, let continuousTarget {
            try reader.load(continuousCritic, from: "critic")
            try reader.load(continuousTarget, from: "critic_target")
        }
        try reader.load(value, from: "value")
        try reader.load(policy, from: "policy")
        let saved = try reader.values("log_std")
        guard saved.count == logStd.value.count, saved.allSatisfy(\.isFinite) else { throw TrainingError.checkpoint("log_std does not fit the policy") }
        logStd.assign(Tensor(saved))
        try reader.load(actorOptimizer, from: "actor_optimizer")
        try reader.load(criticOptimizer, from: "critic_optimizer")
        (stepsDone, generator) = try reader.loadOfflineProgress(data: data)
    }
}
