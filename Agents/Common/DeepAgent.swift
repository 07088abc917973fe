import Foundation
import NN
import RL
import Tensor

/// What one training iteration (a rollout and its updates, or a collection phase and its
/// gradient steps) reports. Metric names follow CleanRL's (`losses/value_loss`, …).
public struct TrainingReport: Sendable {
    public var steps: Int
    public var metrics: [(name: String, value: Double)]
    public var episodes: [EpisodeRecord]
    /// The iteration stopped part-way because a stop was asked for (`iterate(stoppingWhen:)`): its steps
    /// are done and go into the checkpoint, no episode ended, and the next call continues it.
    public var isUnfinished = false
}

public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case nonFinite(String)
    case unsupported(String)
    case checkpoint(String)
    case tooLarge(String)
    case didNotConverge(String)

    public var description: String {
        switch self {
        case .nonFinite(let detail): "training diverged: \(detail) is not finite (try a smaller learning_rate)"
        case .unsupported(let detail): detail
        case .checkpoint(let detail): "checkpoint: \(detail)"
        case .tooLarge(let detail), .didNotConverge(let detail): detail
        }
    }
}

/// What the library training loop (`learn`) runs: iterations until a budget of steps, each
/// reporting its metrics, and checkpoints that continue the run exactly. Deep RL agents are
/// trainables; so are the language model's pretraining and its RL fine-tuning, whose steps
/// are gradient steps.
public protocol Trainable: AnyObject {
    /// The name runs and progress reports use (`ppo`, `grpo`, …).
    var name: String { get }
    var seed: UInt64 { get }
    var stepsDone: Int { get }
    var totalSteps: Int { get }
    /// Training has ended before its budget: an early-stopping rule held (false unless a trainer has one).
    var isFinished: Bool { get }
    /// One iteration; throws `TrainingError.nonFinite` when a loss stops being a number.
    func iterate() throws -> TrainingReport
    /// One iteration that may end part-way, once `stop()` is true, with an unfinished report (for iterations
    /// long enough that a stop request should not wait for them: a PETS trial plans for minutes). The
    /// default runs the whole iteration.
    func iterate(stoppingWhen stop: () -> Bool) throws -> TrainingReport
    /// Everything needed to continue exactly.
    func checkpoint() throws -> SafeTensors
}

extension Trainable {
    public var isFinished: Bool { false }
    public func iterate(stoppingWhen stop: () -> Bool) throws -> TrainingReport { try iterate() }
}

/// A deep RL agent: iterate until the budget is spent, act, save, load. Each agent owns its
/// batched environments, networks, optimiser and generator, so a checkpoint of the agent is a
/// checkpoint of the whole run. The training loop around it (run directories, metrics,
/// evaluations, resume) is the Training library's `learn`.
public protocol DeepAgent: Trainable {
    associatedtype Configuration: Hyperparameters
    /// The command-line name (`ppo`, `dqn`, …).
    static var id: String { get }
    /// A fresh agent on copies of `environment`; `totalSteps` defaults to the configuration's `n_timesteps`.
    init(environment: any DynamicEnvironment, config: Configuration, seed: UInt64, totalSteps: Int?) throws
    var config: Configuration { get }
    /// The action for one raw observation (normalised inside if the agent normalises).
    func act(_ observation: [Float], deterministic: Bool) -> [Float]
    /// What the agent thinks of one raw observation, for the visualizer: the action
    /// probabilities it would act with and its value estimate (nil without a critic).
    func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double?)
    func restore(from checkpoint: SafeTensors) throws
}

extension DeepAgent {
    /// The name it is registered under in `DeepAgents` (Double DQN is DQN's class under its own name).
    public var name: String { Self.id }

    /// SB3's progress_remaining: 1 at the start, 0 when the budget is spent.
    var progressRemaining: Double { Swift.max(0, 1 - Double(stepsDone) / Double(Swift.max(totalSteps, 1))) }
}

func ensureFinite(_ value: Float, _ what: @autoclosure () -> String) throws {
    if !value.isFinite { throw TrainingError.nonFinite(what()) }
}

/// An observation or reward that is not a number would poison every update after it (and
/// sampling from what a network makes of it): stop there, naming it.
func ensureFiniteStep(of environments: any BatchedEnvironment, atStep step: Int) throws {
    guard environments.observations.allSatisfy(\.isFinite), environments.rewards.allSatisfy(\.isFinite) else {
        throw TrainingError.nonFinite("an observation or reward of the environment at step \(step)")
    }
}

// MARK: - Checkpoint contents

/// Collects an agent's state as named tensors and metadata strings.
struct CheckpointBuilder {
    var tensors: [(name: String, tensor: Tensor)] = []
    var metadata: [String: String] = [:]

    mutating func add(_ module: Module, as prefix: String) {
        for (name, parameter) in module.namedParameters { tensors.append(("\(prefix).\(name)", parameter.value.detached())) }
    }

    mutating func add(_ optimizer: Optimizer, as prefix: String) {
        for (name, values) in optimizer.state { tensors.append(("\(prefix).\(name)", Tensor(values))) }
    }

    mutating func add(_ values: [Float], as name: String) { tensors.append((name, Tensor(values))) }

    mutating func add<Value: Encodable>(json value: Value, as key: String) throws {
        metadata[key] = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    var safeTensors: SafeTensors { SafeTensors(tensors: tensors, metadata: metadata) }
}

/// Reads back what `CheckpointBuilder` wrote, with one clear error for anything missing.
struct CheckpointReader {
    let file: SafeTensors
    private let byName: [String: Tensor]

    init(_ file: SafeTensors, agent: String) throws {
        self.file = file
        byName = Dictionary(file.tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        guard file.metadata["agent"] == agent else {
            throw TrainingError.checkpoint("it was written by agent '\(file.metadata["agent"] ?? "?")', not '\(agent)'")
        }
    }

    func load(_ module: Module, from prefix: String) throws {
        let names = module.namedParameters.map(\.name)
        let tensors = try names.map { name -> (name: String, tensor: Tensor) in (name, try tensor("\(prefix).\(name)")) }
        try module.load(SafeTensors(tensors: tensors))
    }

    func load(_ optimizer: Optimizer, from prefix: String) throws {
        var saved: [String: [Float]] = [:]
        for (name, _) in optimizer.state { saved[name] = try values("\(prefix).\(name)") }
        try optimizer.loadState(saved)
    }

    func tensor(_ name: String) throws -> Tensor {
        guard let tensor = byName[name] else { throw TrainingError.checkpoint("no tensor '\(name)'") }
        return tensor
    }

    func values(_ name: String) throws -> [Float] { try tensor(name).scalars }

    func json<Value: Decodable>(_ type: Value.Type, _ key: String) throws -> Value {
        guard let text = file.metadata[key] else { throw TrainingError.checkpoint("no metadata '\(key)'") }
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
            throw TrainingError.checkpoint("metadata '\(key)' is malformed")
        }
    }

    /// A count from the checkpoint, refused outside `range` (a file may say anything).
    func count(_ value: Int, _ name: String, in range: ClosedRange<Int> = 0...Limits.steps) throws -> Int {
        guard range.contains(value) else {
            throw TrainingError.checkpoint("\(name) = \(value) is out of range (expected \(range.lowerBound)…\(range.upperBound))")
        }
        return value
    }

    func string(_ key: String) throws -> String {
        guard let text = file.metadata[key] else { throw TrainingError.checkpoint("no metadata '\(key)'") }
        return text
    }
}

/// The running statistics of observation/reward normalisation, kept exactly (as JSON numbers).
extension VectorNormalizer {
    private struct Saved: Codable {
        var observations: RunningMeanVariance
        var returns: RunningMeanVariance
        var runningReturns: [Double]
    }

    func save(into builder: inout CheckpointBuilder, as key: String) throws {
        try builder.add(json: Saved(observations: observationStatistics, returns: returnStatistics,
                                    runningReturns: runningReturns), as: key)
    }

    mutating func load(from reader: CheckpointReader, as key: String) throws {
        let saved = try reader.json(Saved.self, key)
        guard saved.observations.mean.count == observationStatistics.mean.count,
              saved.runningReturns.count == runningReturns.count else {
            throw TrainingError.checkpoint("normalisation statistics do not fit this environment")
        }
        for statistics in [saved.observations, saved.returns] {
            guard statistics.count > 0, statistics.count.isFinite, statistics.mean.count == statistics.variance.count,
                  statistics.mean.allSatisfy(\.isFinite), statistics.variance.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw TrainingError.checkpoint("normalisation statistics are not valid (counts > 0, finite means, variances ≥ 0)")
            }
        }
        guard saved.runningReturns.allSatisfy(\.isFinite) else { throw TrainingError.checkpoint("normalisation returns are not finite") }
        observationStatistics = saved.observations
        returnStatistics = saved.returns
        runningReturns = saved.runningReturns
    }
}
