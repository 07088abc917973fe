// MBPO: model-based policy optimisation — Janner, Fu, Zhang & Levine (2019), "When to Trust Your
// Model: Model-Based Policy Optimization", arXiv:1906.08253 — run as MBRL-Lib's `mbpo.py` runs it:
// SAC learns only from short rollouts of a probabilistic ensemble, branched from real states.
//
//   D_env ← learning_starts uniformly random steps
//   every real step t:
//     act with π in the real environment, add the transition to D_env
//     if t is a multiple of freq_train_model:
//       fit the ensemble to D_env (Gaussian NLL, bootstraps, elites)          DynamicsModel.fit
//       from M = rollouts_per_step · freq_train_model states of D_env, roll out k steps
//       with π through a random elite per row into D_model                   rolloutIntoPolicyBuffer
//     G SAC updates on minibatches of D_model (each, with probability         SAC.update(on:)
//       real_data_ratio, of D_env instead)
//
// k follows MBRL-Lib's rollout schedule [epoch a, epoch b, k_a, k_b] (linear in between, an epoch
// being freq_train_model steps). Two differences from MBRL-Lib, both for the same reason as PETS
// here: the reward and termination of imagined steps are the environment's known functions
// (`planningModel`), not learned; and the random exploration steps count in the budget (MBRL-Lib's
// 5000 initial steps do not).
import Foundation
import NN
import RL
import Random
import Tensor

// MARK: - Hyper-parameters

/// MBRL-Lib's `mbpo_cartpole` settings (mbrl/examples/conf/overrides/mbpo_cartpole.yaml and
/// algorithm/mbpo.yaml): a 7-member ensemble of 4×200 layers with 5 elites, refitted every 200 steps
/// with patience 5; 400 rollouts per real step of length 1; 20 SAC updates per step.
public struct MBPOHyperparameters: Hyperparameters {
    public var nTimesteps = 5000
    /// Uniformly random steps before π acts (they count in `n_timesteps`).
    public var learningStarts = 200
    public var freqTrainModel = 200
    public var effectiveModelRolloutsPerStep = 400
    /// [epoch a, epoch b, k at a, k at b]: the rollout length k, linear in the epoch between a and b.
    public var rolloutSchedule = [1, 15, 1, 1]
    /// How many model fits' rollouts the policy buffer keeps.
    public var numEpochsToRetainSacBuffer = 1
    public var numSacUpdatesPerStep = 20
    /// The chance that a SAC update learns from a minibatch of real transitions instead of imagined ones
    /// (MBRL-Lib's real_data_ratio: each update draws one buffer or the other whole; 0 there and here).
    public var realDataRatio = 0.0
    public var ensembleSize = 7
    public var numElites = 5
    public var hiddenLayers = 4
    public var hiddenSize = 200
    public var modelLr = 1e-3
    public var modelWd = 5e-5
    public var modelBatchSize = 256
    public var validationRatio = 0.2
    public var patience = 5
    /// An upper bound on a fit's epochs (MBRL-Lib has none; patience ends a fit first).
    public var modelEpochs = 1000
    public var sacGamma = 0.99
    public var sacTau = 0.005
    public var sacTargetUpdateInterval = 4
    /// The entropy the learned temperature aims for.
    public var sacTargetEntropy = -0.05
    public var sacHiddenSize = 256
    public var sacLr = 3e-4
    public var sacBatchSize = 256

    public init() {}

    public static let zooName = "mbpo"
    public static let activationFunction = "nn.LeakyReLU"

    public static var ranges: [ParameterRange<Self>] { [
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        .integer("learning_starts", \.learningStarts, 2...Limits.steps),
        .integer("freq_train_model", \.freqTrainModel, 1...Limits.steps),
        .integer("effective_model_rollouts_per_step", \.effectiveModelRolloutsPerStep, 1...100_000),
        ParameterRange("rollout_schedule", expected: "four integers a,b,k_a,k_b with 0 ≤ a ≤ b and 1 ≤ k ≤ 1000",
                       accepts: { s in s.rolloutSchedule.count == 4 && (0...s.rolloutSchedule[1]).contains(s.rolloutSchedule[0])
                           && s.rolloutSchedule[2...].allSatisfy((1...1000).contains) },
                       value: { $0.rolloutSchedule.map(String.init).joined(separator: ",") }),
        .integer("num_epochs_to_retain_sac_buffer", \.numEpochsToRetainSacBuffer, 1...1000),
        .integer("num_sac_updates_per_step", \.numSacUpdatesPerStep, 0...1000),
        .number("real_data_ratio", \.realDataRatio, .closed(0, 1)),
        .integer("ensemble_size", \.ensembleSize, 1...64),
        ParameterRange("num_elites", expected: "1…ensemble_size", accepts: { (1...$0.ensembleSize).contains($0.numElites) },
                       value: { "\($0.numElites)" }),
        .integer("hidden_layers", \.hiddenLayers, 1...16),
        .integer("hidden_size", \.hiddenSize, 1...Limits.layerSize),
        .number("model_lr", \.modelLr, .above(0, upTo: 1)),
        .number("model_wd", \.modelWd, .closed(0, 1)),
        .integer("model_batch_size", \.modelBatchSize, 1...Limits.batch),
        .number("validation_ratio", \.validationRatio, .closed(0, 0.5)),
        .integer("patience", \.patience, 1...100_000),
        .integer("model_epochs", \.modelEpochs, 1...100_000),
        .number("sac_gamma", \.sacGamma, .closed(0, 1)),
        .number("sac_tau", \.sacTau, .above(0, upTo: 1)),
        .integer("sac_target_update_interval", \.sacTargetUpdateInterval, 1...Limits.steps),
        .number("sac_target_entropy", \.sacTargetEntropy, .closed(-1e6, 1e6)),
        .integer("sac_hidden_size", \.sacHiddenSize, 1...Limits.layerSize),
        .number("sac_lr", \.sacLr, .above(0, upTo: 1)),
        .integer("sac_batch_size", \.sacBatchSize, 1...Limits.batch),
    ] }

    /// k for epoch `epoch` (1-based, as MBRL-Lib's `truncated_linear(*schedule, epoch + 1)`).
    public func rolloutLength(epoch: Int) -> Int {
        let (a, b, ka, kb) = (Double(rolloutSchedule[0]), Double(rolloutSchedule[1]), Double(rolloutSchedule[2]), Double(rolloutSchedule[3]))
        guard b - a >= 1e-10 else { return Int(kb) }
        let k = ka + (Double(epoch) - a) / (b - a) * (kb - ka)
        return Int(Swift.min(Swift.max(k, Swift.min(ka, kb)), Swift.max(ka, kb)))
    }

    /// The SAC that learns from the model's rollouts, under MBRL-Lib's `sac_*` names.
    var sac: SACHyperparameters {
        var c = SACHyperparameters()
        (c.gamma, c.tau, c.targetUpdateInterval, c.targetEntropy) = (sacGamma, sacTau, sacTargetUpdateInterval, sacTargetEntropy)
        (c.netArch, c.learningRate, c.batchSize) = ([sacHiddenSize, sacHiddenSize], .constant(sacLr), sacBatchSize)
        (c.bufferSize, c.learningStarts, c.nTimesteps) = (1, 0, nTimesteps)  // SAC's own buffer is unused: D_model is ours
        return c
    }
}

// MARK: - Agent

public final class MBPO: DeepAgent {
    public static let id = "mbpo"
    public let config: MBPOHyperparameters
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    public let model: DynamicsModel
    /// The policy, trained on imagined transitions (and on real ones a `real_data_ratio` of the time).
    public let policy: SAC
    private let task: PlanningModel
    private let scale: ActionScale
    private var environments: any BatchedEnvironment
    /// D_env: every real transition (actions in [−1, 1]). D_model: the latest rollouts.
    private var realData: ReplayBuffer, modelData: ReplayBuffer
    private var modelFits = 0
    private var generator: RandomGenerator

    public init(environment: any DynamicEnvironment, config: MBPOHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        guard let task = environment.planningModel else {
            throw TrainingError.unsupported("mbpo rolls out its model with the environment's reward and termination functions; this environment has none (CartPoleContinuous-v0 and Pendulum-v1 do)")
        }
        (self.config, self.seed, self.totalSteps, self.task) = (config, seed, totalSteps ?? config.nTimesteps, task)
        scale = try ActionScale(environment.actionSpace)
        let o = task.observationCount, rolloutRows = config.effectiveModelRolloutsPerStep * config.freqTrainModel
        let capacity = Swift.max(config.rolloutSchedule[2], config.rolloutSchedule[3]) * rolloutRows * config.numEpochsToRetainSacBuffer
        let bytesEach = (2 * o + scale.dimension + 2) * MemoryLayout<Float>.size
        try MemoryBudget.check("n_timesteps=\(self.totalSteps) real transitions", count: self.totalSteps, bytesEach: bytesEach)
        try MemoryBudget.check("the policy buffer of max k × rollouts_per_step × freq_train_model × epochs = \(capacity) rows",
                               count: capacity, bytesEach: bytesEach)
        generator = RandomGenerator(seed: seed)
        model = DynamicsModel(observationSize: o, actionSize: scale.dimension, members: config.ensembleSize, eliteCount: config.numElites,
                              hiddenLayers: config.hiddenLayers, hiddenSize: config.hiddenSize, learningRate: Float(config.modelLr),
                              weightDecay: Float(config.modelWd), using: &generator)
        policy = try SAC(environment: environment, config: config.sac, seed: seed &+ 1, totalSteps: self.totalSteps)
        realData = ReplayBuffer(capacity: self.totalSteps, observationSize: o, actionSize: scale.dimension)
        modelData = ReplayBuffer(capacity: capacity, observationSize: o, actionSize: scale.dimension)
        environments = try environment.batched(copies: 1)
        environments.reset(seed: seed)
    }

    /// One model epoch: `freq_train_model` real steps, each followed by the SAC updates; the model
    /// is refitted and rolled out after the last of them.
    public func iterate() throws -> TrainingReport {
        let d = scale.dimension
        var episodes: [EpisodeRecord] = []
        var metrics: [(name: String, value: Double)] = [("model/nll", .nan), ("model/validation_mse", .nan), ("model/epochs", .nan),
                                                        ("rollout/length", .nan), ("rollout/reward", .nan)]
        var criticLosses: [Float] = [], actorLosses: [Float] = [], alphas: [Float] = []
        for _ in 0..<config.freqTrainModel where stepsDone < totalSteps {
            // MARK: Act in the real environment
            let observations = environments.observations
            let actions = stepsDone < config.learningStarts
                ? (0..<d).map { _ in Float(generator.nextUniformDouble() * 2 - 1) }
                : policy.sampleActions(observations, rows: 1)
            environments.step(flatActions: scale.environmentActions(actions))
            try ensureFiniteStep(of: environments, atStep: stepsDone)
            episodes += environments.finishedEpisodes.map(\.record)
            realData.addStep(observations: observations, actions: actions, of: environments)
            stepsDone += 1
            // MARK: Fit the model and branch rollouts from real states
            if stepsDone % config.freqTrainModel == 0 && stepsDone >= config.learningStarts {
                metrics = try fitAndRollOut()
            }
            // MARK: Train SAC on imagined transitions
            if modelData.count >= config.sacBatchSize {
                for _ in 0..<config.numSacUpdatesPerStep {
                    // No draw at ratio 0, so runs without real data keep their random streams.
                    let real = config.realDataRatio > 0 && generator.nextUniformDouble() < config.realDataRatio
                    let data = real ? realData : modelData
                    guard data.count >= config.sacBatchSize else { break }
                    let (critic, actor, alpha) = try policy.update(on: data.batch(data.sampleIndices(config.sacBatchSize, using: &generator)))
                    criticLosses.append(critic); actorLosses.append(actor); alphas.append(alpha)
                }
            }
        }
        // Blank (NaN), not 0, for an epoch without SAC updates.
        func average(_ values: [Float]) -> Double { values.isEmpty ? .nan : mean(values) }
        return TrainingReport(steps: stepsDone, metrics: metrics + [
            ("losses/qf_loss", average(criticLosses)), ("losses/actor_loss", average(actorLosses)), ("losses/alpha", average(alphas)),
            ("charts/model_fits", Double(modelFits)),
        ], episodes: episodes)
    }

    private func fitAndRollOut() throws -> [(name: String, value: Double)] {
        let n = realData.count, o = realData.observationSize, d = realData.actionSize
        let report = model.fit(observations: Array(realData.observations.prefix(n * o)), actions: Array(realData.actions.prefix(n * d)),
                               nextObservations: Array(realData.nextObservations.prefix(n * o)), epochs: config.modelEpochs,
                               batchSize: config.modelBatchSize, validationRatio: config.validationRatio, patience: config.patience,
                               using: &generator)
        try ensureFinite(report.trainingNLL, "the model's NLL at step \(stepsDone)")
        modelFits += 1
        let k = config.rolloutLength(epoch: modelFits)
        let reward = try rolloutIntoPolicyBuffer(length: k)
        return [("model/nll", Double(report.trainingNLL)),
                ("model/validation_mse", Double(report.validationErrors.reduce(0, +)) / Double(Swift.max(report.validationErrors.count, 1))),
                ("model/epochs", Double(report.epochs)), ("rollout/length", Double(k)), ("rollout/reward", reward)]
    }

    /// k-step rollouts of π through the model from states drawn uniformly from D_env: each row is
    /// predicted by a random elite, scored by the known reward, and stops once it terminates.
    /// Returns the mean imagined reward per stored step.
    private func rolloutIntoPolicyBuffer(length k: Int) throws -> Double {
        let rows = config.effectiveModelRolloutsPerStep * config.freqTrainModel
        var total = 0.0, stored = 0
        // In chunks of rows, so the activations of 80 000 rows × 7 members never exist at once.
        for chunk in stride(from: 0, to: rows, by: Self.rolloutChunk) {
            let count = Swift.min(Self.rolloutChunk, rows - chunk)
            var observations = realData.batch(realData.sampleIndices(count, using: &generator)).observations
            var alive = [Bool](repeating: true, count: count)
            for _ in 0..<k {
                let actions = policy.sampleActions(observations, rows: count)
                let members = (0..<count).map { _ in model.elites[generator.nextInt(below: model.elites.count)] }
                let next = model.predict(observations: observations, actions: actions, members: members, using: &generator)
                guard next.allSatisfy(\.isFinite) else { throw TrainingError.nonFinite("a predicted observation at step \(stepsDone)") }
                let rewards = task.reward(observations, scale.environmentActions(actions), next), terminal = task.isTerminal(next)
                for r in 0..<count where alive[r] {
                    modelData.add(row: r, observations: observations, actions: actions, reward: rewards[r], nextObservations: next, terminated: terminal[r])
                    total += Double(rewards[r]); stored += 1
                    if terminal[r] { alive[r] = false }
                }
                observations = next
            }
        }
        return total / Double(Swift.max(stored, 1))
    }

    static let rolloutChunk = 8192

    public func act(_ observation: [Float], deterministic: Bool) -> [Float] { policy.act(observation, deterministic: deterministic) }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) { policy.internals(observation) }

    // MARK: - Checkpoint

    private struct Progress: Codable {
        var stepsDone: Int, modelFits: Int, generator: RandomGenerator
        var realCount: Int, realPosition: Int, modelCount: Int, modelPosition: Int
        var policyUpdates: Int, policyGenerator: RandomGenerator
    }

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        model.save(into: &builder, as: "model")
        policy.addLearner(to: &builder, prefix: "sac.")
        builder.addReplay(realData, as: "real")
        builder.addReplay(modelData, as: "imagined")
        let learner = policy.learnerProgress
        try builder.add(json: Progress(stepsDone: stepsDone, modelFits: modelFits, generator: generator,
                                       realCount: realData.count, realPosition: realData.position,
                                       modelCount: modelData.count, modelPosition: modelData.position,
                                       policyUpdates: learner.gradientUpdates, policyGenerator: learner.generator), as: "progress")
        builder.metadata["environments"] = String(decoding: try environments.snapshot(), as: UTF8.self)
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try model.load(from: reader, as: "model")
        try policy.loadLearner(from: reader, prefix: "sac.")
        let progress = try reader.json(Progress.self, "progress")
        for (value, name) in [(progress.stepsDone, "steps_done"), (progress.modelFits, "model_fits"), (progress.policyUpdates, "policy_updates")] {
            _ = try reader.count(value, "progress." + name)
        }
        guard progress.realCount == Swift.min(progress.stepsDone, realData.capacity) else {
            throw TrainingError.checkpoint("progress says \(progress.stepsDone) steps but \(progress.realCount) real transitions")
        }
        try reader.loadReplay(into: &realData, count: progress.realCount, position: progress.realPosition, as: "real")
        try reader.loadReplay(into: &modelData, count: progress.modelCount, position: progress.modelPosition, as: "imagined")
        try environments.restore(from: Data(try reader.string("environments").utf8))
        (stepsDone, modelFits, generator) = (progress.stepsDone, progress.modelFits, progress.generator)
        policy.learnerProgress = (progress.policyUpdates, progress.policyGenerator)
    }
}
