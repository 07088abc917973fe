// PETS: probabilistic ensembles with trajectory sampling — Chua, Calandra, McAllister & Levine
// (2018), run as MBRL-Lib's `pets_example` runs it. The only learned part is the dynamics; the
// reward and termination are the environment's known functions (`planningModel`).
//
//   trial 0: act uniformly at random, store every transition
//   each later trial:
//     fit the ensemble to all transitions (Gaussian NLL, bootstraps, elites)   DynamicsModel.fit
//     every step: CEM over plans a_{t:t+H}, each valued by its predicted return
//                 over P particles (TS-∞)                                     TrajectorySampling
//                 act on a_t, store the transition, shift the plan            RecedingHorizon
import Foundation
import NN
import RL
import Random
import Tensor

// MARK: - Hyper-parameters

/// MBRL-Lib's PETS example on continuous CartPole: a 5-member ensemble of 3×200 LeakyReLU layers,
/// CEM with horizon 15, 500 candidates, 5 iterations, 10 % elites, α 0.1, acting on the elites' mean, 20 particles;
/// trials of 200 steps.
public struct PETSHyperparameters: Hyperparameters {
    /// Real environment steps in all (10 trials of 200).
    public var nTimesteps = 2000
    public var trialLength = 200
    /// Trials of uniformly random actions before planning starts.
    public var randomTrials = 1
    public var ensembleSize = 5
    /// Members used for prediction, the best by validation error; 0: all of them (MBRL-Lib's None).
    public var numElites = 0
    public var hiddenLayers = 3
    public var hiddenSize = 200
    public var learningRate = 1e-3
    public var weightDecay = 5e-5
    public var batchSize = 32
    public var validationRatio = 0.05
    /// Passes over the data per fit (MBRL-Lib's num_epochs), stopping after `patience` without gain.
    public var epochs = 50
    public var patience = 50
    public var planningHorizon = 15
    /// cem, mppi or random (random shooting).
    public var optimizer = "cem"
    public var populationSize = 500
    public var numIterations = 5
    public var eliteRatio = 0.1
    public var alpha = 0.1
    /// CEM acts on the last elites' mean (MBRL-Lib's example sets return_mean_elites) rather than the best plan seen.
    public var returnMeanElites = true
    public var numParticles = 20
    /// ts_inf or ts1.
    public var propagation = "ts_inf"
    /// MPPI's γ, σ and β.
    public var mppiGamma = 10.0, mppiSigma = 1.0, mppiBeta = 0.7

    public init() {}

    public static let zooName = "pets"
    public static let activationFunction = "nn.LeakyReLU"

    public static var ranges: [ParameterRange<Self>] { [
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        .integer("trial_length", \.trialLength, 1...1_000_000),
        .integer("random_trials", \.randomTrials, 1...1000),
        .integer("ensemble_size", \.ensembleSize, 1...64),
        ParameterRange("num_elites", expected: "0 (all) or 1…ensemble_size", accepts: { (0...$0.ensembleSize).contains($0.numElites) },
                       value: { "\($0.numElites)" }),
        .integer("hidden_layers", \.hiddenLayers, 1...16),
        .integer("hidden_size", \.hiddenSize, 1...Limits.layerSize),
        .number("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .number("weight_decay", \.weightDecay, .closed(0, 1)),
        .integer("batch_size", \.batchSize, 1...Limits.batch),
        .number("validation_ratio", \.validationRatio, .closed(0, 0.5)),
        .integer("epochs", \.epochs, 1...100_000),
        .integer("patience", \.patience, 1...100_000),
        .integer("planning_horizon", \.planningHorizon, 1...1000),
        ParameterRange("optimizer", expected: "cem, mppi or random", accepts: { ["cem", "mppi", "random"].contains($0.optimizer) }, value: \.optimizer),
        .integer("population_size", \.populationSize, 2...1_000_000),
        .integer("num_iterations", \.numIterations, 1...1000),
        .number("elite_ratio", \.eliteRatio, .above(0, upTo: 1)),
        .number("alpha", \.alpha, Interval(lower: 0, upper: 1, includesLower: true, includesUpper: false)),
        .flag("return_mean_elites", \.returnMeanElites),
        .integer("num_particles", \.numParticles, 1...10_000),
        ParameterRange("propagation", expected: "ts_inf or ts1", accepts: { Propagation(rawValue: $0.propagation) != nil }, value: \.propagation),
        .number("mppi_gamma", \.mppiGamma, .closed(0, 1e6)),
        .number("mppi_sigma", \.mppiSigma, .above(0, upTo: 1e6)),
        .number("mppi_beta", \.mppiBeta, .closed(0, 1)),
    ] }
}

// MARK: - Agent

public final class PETS: DeepAgent {
    public static let id = "pets"
    public let config: PETSHyperparameters
    public let totalSteps: Int
    public let seed: UInt64
    public private(set) var stepsDone = 0
    public private(set) var trialsDone = 0
    /// Wall seconds of the last model fit: what `bench model-based --planning-speed` subtracts from a trial's
    /// time to get the planning's. A measurement, not part of the run's numbers (metrics and checkpoints leave it out).
    public private(set) var lastFitSeconds = 0.0
    public let model: DynamicsModel
    let sampling: TrajectorySampling
    var planner: RecedingHorizon
    /// What `act` plans with: its own copies, so evaluating draws nothing from training's randomness.
    private let actingSampling: TrajectorySampling
    private var actingPlanner: RecedingHorizon, actingGenerator: RandomGenerator
    let shape: PlanShape
    private var environment: any DynamicEnvironment
    private var generator: RandomGenerator
    /// Every real transition so far, row-major.
    private(set) var observations: [Float] = [], actions: [Float] = [], nextObservations: [Float] = []

    public init(environment: any DynamicEnvironment, config: PETSHyperparameters, seed: UInt64, totalSteps: Int? = nil) throws {
        try config.validate()
        guard let task = environment.planningModel else {
            throw TrainingError.unsupported("pets plans with the environment's reward and termination functions; this environment has none (CartPoleContinuous-v0 and Pendulum-v1 do)")
        }
        let scale = try ActionScale(environment.actionSpace)
        (self.config, self.seed, self.totalSteps, self.environment) = (config, seed, totalSteps ?? config.nTimesteps, environment)
        let rows = config.populationSize * config.numParticles
        try MemoryBudget.check("population_size × num_particles = \(rows) rows", count: rows,
                               bytesEach: (2 * config.hiddenSize + 4 * task.observationCount) * MemoryLayout<Float>.size)
        generator = RandomGenerator(seed: seed)
        model = DynamicsModel(observationSize: task.observationCount, actionSize: task.actionCount, members: config.ensembleSize,
                              eliteCount: config.numElites == 0 ? nil : config.numElites, hiddenLayers: config.hiddenLayers, hiddenSize: config.hiddenSize,
                              learningRate: Float(config.learningRate), weightDecay: Float(config.weightDecay), using: &generator)
        sampling = TrajectorySampling(model: model, task: task, particles: config.numParticles,
                                      propagation: Propagation(rawValue: config.propagation) ?? .tsInfinity, seed: seed &+ 1)
        shape = PlanShape(horizon: config.planningHorizon, actionSize: task.actionCount, low: scale.low, high: scale.high)
        let optimizer: any TrajectoryOptimizer = switch config.optimizer {
        case "mppi": MPPI(shape: shape, iterations: config.numIterations, population: config.populationSize, gamma: Float(config.mppiGamma),
                          sigma: Float(config.mppiSigma), beta: Float(config.mppiBeta))
        case "random": RandomShooting(shape: shape, population: config.populationSize * config.numIterations)
        default: CrossEntropyMethod(shape: shape, iterations: config.numIterations, population: config.populationSize,
                                    eliteRatio: config.eliteRatio, alpha: Float(config.alpha), returnMeanElites: config.returnMeanElites)
        }
        planner = RecedingHorizon(optimizer)
        actingPlanner = planner
        actingSampling = TrajectorySampling(model: model, task: task, particles: config.numParticles, propagation: sampling.propagation, seed: seed &+ 2)
        actingGenerator = RandomGenerator(seed: seed &+ 3)
    }

    /// A trial stopped part-way (`iterate(stoppingWhen:)`): where it started, what it has earned, the
    /// model's figures from its fit. Its transitions are the data's last rows.
    private struct Trial: Codable {
        var start: Int, total: Double, predicted: [Float], modelMetrics: [Double]
    }
    private var unfinished: Trial?
    /// The environment's state for `unfinished`: nil after a restore, until the trial's actions are replayed.
    private var observation: [Float]?

    /// One trial: random actions for the first `random_trials`, then fit the model and plan every step.
    public func iterate() throws -> TrainingReport { try iterate(stoppingWhen: { false }) }

    /// One trial, left unfinished once `stop()` is true between two steps (a planned trial at MBRL-Lib's
    /// settings takes minutes; a SIGTERM should not wait for it): the next call, in this agent or in one
    /// restored from its checkpoint, continues the trial where it stopped, as if it had not.
    public func iterate(stoppingWhen stop: () -> Bool) throws -> TrainingReport {
        let planning = trialsDone >= config.randomTrials
        var trial: Trial, observation: [Float]
        if let unfinished {
            trial = unfinished
            observation = try self.observation ?? replay(trial)
        } else {
            // The same names every trial (a random trial's model and planner figures are blank).
            var modelMetrics = [Double.nan, .nan, .nan]
            if planning {
                guard stepsDone >= 2 else {
                    throw TrainingError.unsupported("pets needs at least 2 random transitions to fit its model before planning (raise trial_length or random_trials)")
                }
                let fitStart = DispatchTime.now().uptimeNanoseconds
                let report = model.fit(observations: observations, actions: actions, nextObservations: nextObservations, epochs: config.epochs,
                                       batchSize: config.batchSize, validationRatio: config.validationRatio, patience: config.patience,
                                       using: &generator)
                lastFitSeconds = Double(DispatchTime.now().uptimeNanoseconds - fitStart) / 1e9
                try ensureFinite(report.trainingNLL, "the model's NLL after trial \(trialsDone)")
                modelMetrics = [Double(report.trainingNLL), Double(report.epochs),
                                Double(report.validationErrors.reduce(0, +)) / Double(Swift.max(report.validationErrors.count, 1))]
            }
            // Trial i starts from reset(seed: seed + i): no environment state to checkpoint between trials.
            observation = environment.resetFlat(seed: seed &+ UInt64(trialsDone)).observation
            planner.reset()
            trial = Trial(start: stepsDone, total: 0, predicted: [], modelMetrics: modelMetrics)
        }
        var ended = false  // false when the real-step budget, not the trial, stopped it
        while stepsDone - trial.start < config.trialLength && stepsDone < totalSteps {
            if stop() {
                (unfinished, self.observation) = (trial, observation)
                return TrainingReport(steps: stepsDone, metrics: [], episodes: [], isUnfinished: true)
            }
            let action: [Float]
            if planning {
                let plan = planner.plan(sampling.objective(from: observation, shape: shape), using: &generator)
                trial.predicted.append(sampling.predictedReturns(plan, population: 1, from: observation, shape: shape)[0])
                action = Array(plan[0..<shape.actionSize])
            } else {
                action = (0..<shape.actionSize).map { shape.low[$0] + (shape.high[$0] - shape.low[$0]) * generator.nextUniform() }
            }
            let t = try environment.stepFlat(action.map(Double.init))
            guard t.observation.allSatisfy(\.isFinite), t.reward.isFinite else {
                throw TrainingError.nonFinite("an observation or reward of the environment at step \(stepsDone)")
            }
            observations += observation; actions += action; nextObservations += t.observation
            trial.total += t.reward; stepsDone += 1
            if t.terminated { ended = true; break }
            observation = t.observation
        }
        ended = ended || stepsDone - trial.start == config.trialLength
        (unfinished, self.observation) = (nil, nil)
        trialsDone += 1
        let predicted = trial.predicted
        let metrics = zip(["model/nll", "model/epochs", "model/validation_mse"], trial.modelMetrics).map { (name: $0, value: $1) } + [
            ("planner/predicted_return", predicted.isEmpty ? .nan : Double(predicted.reduce(0, +)) / Double(predicted.count)),
            ("charts/trial", Double(trialsDone)),
        ]
        // A trial the budget cut short is not an episode (as no agent reports the episode it was in when
        // `total_timesteps` ran out): its return says nothing about the planner.
        let episodes = ended ? [EpisodeRecord(totalReward: trial.total, length: stepsDone - trial.start)] : []
        return TrainingReport(steps: stepsDone, metrics: metrics, episodes: episodes)
    }

    /// Brings a restored agent's environment to where its unfinished trial stopped: the trial's reset, then
    /// its stored actions again. The environments are deterministic given the reset's seed, so each step
    /// must give back the stored next observation; a checkpoint whose data do not replay is refused.
    private func replay(_ trial: Trial) throws -> [Float] {
        let (o, a) = (model.observationSize, model.actionSize)
        var observation = environment.resetFlat(seed: seed &+ UInt64(trialsDone)).observation
        let mismatch = TrainingError.checkpoint("the unfinished trial's stored transitions do not replay in the environment (saved from another environment or version?)")
        var total = 0.0
        for row in trial.start..<stepsDone {  // no stored step ended the trial: it would have finished
            guard observation == Array(observations[(row * o)..<((row + 1) * o)]) else { throw mismatch }
            let t = try environment.stepFlat(actions[(row * a)..<((row + 1) * a)].map(Double.init))
            guard t.observation == Array(nextObservations[(row * o)..<((row + 1) * o)]), !t.terminated else { throw mismatch }
            total += t.reward
            observation = t.observation
        }
        guard total == trial.total else { throw mismatch }
        return observation
    }

    /// The first action of the plan from `observation`, planned through the current model (on the
    /// acting copies: the warm start carries over from one call to the next, as within an episode).
    public func act(_ observation: [Float], deterministic: Bool) -> [Float] {
        lastPlan = actingPlanner.plan(actingSampling.objective(from: observation, shape: shape), using: &actingGenerator)
        return Array(lastPlan[0..<shape.actionSize])
    }

    /// The whole plan `act` chose last (horizon × action numbers), for `watch`.
    public private(set) var lastPlan: [Float] = []

    /// The states the model predicts along `plan` from `observation` — each elite's mean step, averaged
    /// over the elites — first the observation itself, then one row per planned action.
    public func predictedStates(along plan: [Float], from observation: [Float]) -> [[Float]] {
        let elites = model.elites, o = observation.count, a = shape.actionSize
        var states = [observation]
        var batch = Array(repeating: observation, count: elites.count).flatMap { $0 }
        var unused = RandomGenerator(seed: 0)  // deterministic predictions draw nothing
        for t in 0..<(plan.count / a) {
            let action = Array(plan[(t * a)..<((t + 1) * a)])
            batch = model.predict(observations: batch, actions: Array(repeating: action, count: elites.count).flatMap { $0 },
                                  members: elites, deterministic: true, using: &unused)
            states.append((0..<o).map { c in elites.indices.map { batch[$0 * o + c] }.reduce(0, +) / Float(elites.count) })
        }
        return states
    }

    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?) { ([], nil) }

    // MARK: - Checkpoint

    private struct Progress: Codable {
        var stepsDone: Int, trialsDone: Int, generator: RandomGenerator, samplingGenerator: RandomGenerator
        /// A trial stopped part-way and the planner's state within it (absent between trials).
        var unfinished: Trial?, planner: [Float]?
    }

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = config.json
        model.save(into: &builder, as: "model")
        builder.add(observations, as: "data.observations")
        builder.add(actions, as: "data.actions")
        builder.add(nextObservations, as: "data.next_observations")
        try builder.add(json: Progress(stepsDone: stepsDone, trialsDone: trialsDone, generator: generator, samplingGenerator: sampling.generator,
                                       unfinished: unfinished, planner: unfinished == nil ? nil : planner.carried),
                        as: "progress")
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try model.load(from: reader, as: "model")
        let progress = try reader.json(Progress.self, "progress")
        _ = try reader.count(progress.stepsDone, "progress.steps_done")
        _ = try reader.count(progress.trialsDone, "progress.trials_done")
        let (o, a) = (model.observationSize, model.actionSize)
        let saved = (try reader.values("data.observations"), try reader.values("data.actions"), try reader.values("data.next_observations"))
        let rows = saved.1.count / a
        guard saved.0.count == rows * o, saved.1.count == rows * a, saved.2.count == rows * o, rows == progress.stepsDone,
              saved.0.allSatisfy(\.isFinite), saved.1.allSatisfy(\.isFinite), saved.2.allSatisfy(\.isFinite) else {
            throw TrainingError.checkpoint("the stored transitions do not match \(progress.stepsDone) steps of \(o)-number observations and \(a)-number actions")
        }
        if let trial = progress.unfinished {
            let length = progress.stepsDone - trial.start
            guard trial.start >= 0, (0..<config.trialLength).contains(length), trial.predicted.count <= length, trial.modelMetrics.count == 3,
                  trial.total.isFinite, trial.predicted.allSatisfy(\.isFinite), let carried = progress.planner,
                  planner.restore(carried: carried) else {
                throw TrainingError.checkpoint("the unfinished trial's progress does not fit \(progress.stepsDone) steps and this configuration")
            }
        }
        (observations, actions, nextObservations) = saved
        (stepsDone, trialsDone, generator) = (progress.stepsDone, progress.trialsDone, progress.generator)
        sampling.generator = progress.samplingGenerator
        (unfinished, observation) = (progress.unfinished, nil)  // the environment is replayed on the next iterate
    }
}
