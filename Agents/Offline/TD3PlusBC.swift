// TD3+BC — Fujimoto & Gu (2021), "A Minimalist Approach to Offline Reinforcement Learning",
// arXiv:2106.06860, as d3rlpy's TD3PlusBC runs it: TD3's critics unchanged (clipped double Q,
// target policy smoothing, delayed actor) and one term added to the actor's loss that keeps it
// near the data's actions, with the Q term scaled by λ = α / E|Q| so α means the same on any task:
//     L_π = −λ·E[Q₁(s, π(s))] + E[(π(s) − a)²],   λ = α / E[|Q₁(s, π(s))|] (no gradient)
// Observations are standardised by the dataset's mean and standard deviation.
import Datasets
import Foundation
import NN
import RL
import Tensor

// MARK: - Hyper-parameters

/// d3rlpy's TD3PlusBC defaults (α 2.5, actor every 2 critic steps, smoothing σ 0.2 clipped at 0.5).
public struct TD3PlusBCHyperparameters: Hyperparameters {
    public var nTimesteps = 20_000
    public var dataset = ""
    public var actorLearningRate = 3e-4
    public var criticLearningRate = 3e-4
    public var batchSize = 256
    public var gamma = 0.99
    public var tau = 0.005
    public var targetSmoothingSigma = 0.2
    public var targetSmoothingClip = 0.5
    public var alpha = 2.5
    public var updateActorInterval = 2
    public var netArch = [256, 256]

    public init() {}

    public static let zooName = "td3_bc"
    public static let activationFunction = "nn.ReLU"

    public static var ranges: [ParameterRange<Self>] {
        offlineActorCriticRanges + [
            .number("target_smoothing_sigma", \.targetSmoothingSigma, .closed(0, 10)),
            .number("target_smoothing_clip", \.targetSmoothingClip, .closed(0, 10)),
            .number("alpha", \.alpha, .closed(0, 1e6)),
            .integer("update_actor_interval", \.updateActorInterval, 1...Limits.steps),
        ]
    }
}

// MARK: - Agent

public final class TD3PlusBC: DeepAgent {
    public static let id = "td3_bc"
    public let config: TD3PlusBCHyperparameters
    public let actor: DeterministicActor, actorTarget: DeterministicActor
    public let critic: ContinuousCritic, criticTarget: ContinuousCritic
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    private let actorOptimizer: Adam, criticOptimizer: Adam
    private let data: OfflineData
    private var generator: RandomGenerator
    private let scale: ActionScale
    /// The dataset's observation mean and standard deviation (+ 10⁻³), per dimension.
    private let observationMean: [Float], observationStd: [Float]

    public init(environment: any DynamicEnvironment, config: TD3PlusBCHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        (self.config, self.seed, self.totalSteps) = (config, seed, totalSteps ?? config.nTimesteps)
        data = try OfflineData(path: config.dataset, environment: environment)
        try data.requireBootstrappable()
        guard data.dataset.discreteActions == nil else { throw TrainingError.unsupported("td3_bc needs continuous actions") }
        scale = try ActionScale(environment.actionSpace)
        let size = data.dataset.observationSize, d = scale.dimension, n = Float(data.dataset.count), rows = data.dataset.observations
        let mean = (0..<size).map { j in stride(from: j, to: rows.count, by: size).reduce(0) { $0 + rows[$1] } / n }
        observationMean = mean
        observationStd = (0..<size).map { j in
            let m = mean[j]
            let variance = stride(from: j, to: rows.count, by: size).reduce(0) { $0 + (rows[$1] - m) * (rows[$1] - m) } / n
            return variance.squareRoot() + 1e-3
        }
        try MemoryBudget.checkNetworks(layers: config.netArch, inputs: size + d, outputs: d, copies: 6, batch: config.batchSize)
        generator = RandomGenerator(seed: seed)
        actor = DeterministicActor(observationSize: size, actionSize: d, hidden: config.netArch, using: &generator)
        actorTarget = DeterministicActor(observationSize: size, actionSize: d, hidden: config.netArch, using: &generator)
        critic = ContinuousCritic(observationSize: size, actionSize: d, hidden: config.netArch, count: 2, using: &generator)
        criticTarget = ContinuousCritic(observationSize: size, actionSize: d, hidden: config.netArch, count: 2, using: &generator)
        polyakUpdate(actorTarget, from: actor, tau: 1)
        polyakUpdate(criticTarget, from: critic, tau: 1)
        (actorOptimizer, criticOptimizer) = (Adam(actor.parameters, learningRate: Float(config.actorLearningRate)),
                                             Adam(critic.parameters, learningRate: Float(config.criticLearningRate)))
    }

    private func standardised(_ rows: [Float]) -> Tensor {
        let size = observationMean.count
        return Tensor(rows.indices.map { (rows[$0] - observationMean[$0 % size]) / observationStd[$0 % size] }, shape: [rows.count / size, size])
    }

    public func iterate() throws -> TrainingReport {
        var criticLosses: [Float] = [], actorLosses: [Float] = []
        for _ in 0..<Swift.min(offlineUpdatesPerIteration, Swift.max(totalSteps - stepsDone, 1)) {
            let batch = data.batch(config.batchSize, bootstrapping: true, using: &generator)
            let b = batch.count, d = scale.dimension
            let observations = standardised(batch.observations), next = standardised(batch.nextObservations)
            let actions = Tensor(scale.scaledActions(batch.actions), shape: [b, d])
            // TD3's target: y = r + γ(1 − d)·min_j Q̄_j(s′, clip(π̄(s′) + clip(ε, ±c), ±1)), ε ~ N(0, σ).
            let sigma = Float(config.targetSmoothingSigma), c = Float(config.targetSmoothingClip)
            let noise = Tensor((0..<(b * d)).map { _ in Swift.min(Swift.max(sigma * generator.nextNormal(), -c), c) }, shape: [b, d])
            // The target shares nothing with Q(s, a): the core may compute them side by side.
            let (y, q) = evaluateTogether({
                withoutGrad {
                    let nextQ = criticTarget(next, (actorTarget(next) + noise).clamped(min: -1, max: 1))
                    return Tensor(batch.rewards) + Float(config.gamma) * Tensor(batch.terminated.map { 1 - $0 }) * Tensor.minimum(nextQ[0], nextQ[1])
                }
            }, { critic(observations, actions) })
            let qLoss = Loss.meanSquaredError(q[0], y) + Loss.meanSquaredError(q[1], y)
            try ensureFinite(qLoss.item, "the TD3+BC critic loss at gradient step \(stepsDone)")
            criticOptimizer.zeroGrad()
            qLoss.backward()
            criticOptimizer.step()
            criticLosses.append(qLoss.item)
            stepsDone += 1
            if stepsDone % config.updateActorInterval == 0 {
                let piLoss = actorLoss(observations: observations, actions: actions)
                try ensureFinite(piLoss.item, "the TD3+BC actor loss at gradient step \(stepsDone)")
                actorOptimizer.zeroGrad()
                piLoss.backward()
                actorOptimizer.step()
                actorLosses.append(piLoss.item)
                polyakUpdate(criticTarget, from: critic, tau: Float(config.tau))
                polyakUpdate(actorTarget, from: actor, tau: Float(config.tau))
            }
        }
        return TrainingReport(steps: stepsDone, metrics: [("losses/qf_loss", mean(criticLosses)), ("losses/actor_loss", mean(actorLosses))],
                              episodes: [])
    }

    /// −λ·E[Q₁(s, π(s))] + E[(π(s) − a)²] with λ = α / E|Q₁(s, π(s))|; the critic frozen, as only the actor learns from it.
    public func actorLoss(observations: Tensor, actions: Tensor) -> Tensor {
        let pi = actor(observations)
        let q = critic.withFrozenParameters { critic.first(observations, pi) }
        let lambda = Float(config.alpha) / withoutGrad { q.scalars.reduce(0) { $0 + abs($1) } / Float(q.count) }
        return -lambda * q.mean() + Loss.meanSquaredError(pi, actions)
    }

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        scale.environmentActions(withoutGrad { actor(standardised(observation)).scalars })
    }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) {
        let input = standardised(observation)
        return ([], Double(withoutGrad { critic(input, actor(input))[0].item }))
    }

    // MARK: - Checkpoint

    private var networks: DeterministicActorCritic {
        DeterministicActorCritic(actor: actor, actorTarget: actorTarget, critic: critic, criticTarget: criticTarget,
                                 actorOptimizer: actorOptimizer, criticOptimizer: criticOptimizer)
    }

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        builder.add(networks)
        try builder.addOfflineProgress(stepsDone: stepsDone, generator: generator, data: data)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try reader.load(networks)
        (stepsDone, generator) = try reader.loadOfflineProgress(data: data)
    }
}
