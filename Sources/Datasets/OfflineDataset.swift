import Foundation
import RL

/// What goes wrong reading or writing a dataset; each message is one line naming the problem.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case malformed(String), unsupported(String), mismatch(String), io(String)

    public var description: String {
        switch self {
        case .malformed(let what): "malformed dataset: \(what)"
        case .unsupported(let what): "unsupported dataset: \(what)"
        case .mismatch(let what): "dataset does not fit: \(what)"
        case .io(let what): what
        }
    }
}

/// An offline RL dataset: transitions in the order they were collected, in episodes. Each
/// transition has its observation, action (a discrete action is its index), reward, next
/// observation, and Gymnasium's two episode-end flags kept apart: `terminations` (the MDP ended:
/// no bootstrapping) and `truncations` (a time limit or the end of the data: bootstrap). D4RL's
/// arrays do not keep the observation after a time-out; such a transition has no next observation
/// (`hasNextObservation` false) and temporal-difference learners skip it, as d3rlpy does.
public struct OfflineDataset: Sendable, Equatable {
    public let observationSize: Int
    /// Numbers per action: 1 for a discrete action (its index).
    public let actionSize: Int
    /// The number of discrete actions; nil for continuous ones.
    public let discreteActions: Int?
    public let observations: [Float], actions: [Float], rewards: [Float], nextObservations: [Float]
    public let terminations: [Bool], truncations: [Bool], hasNextObservation: [Bool]
    /// The environment the data came from (a registry id), if known.
    public var environmentID: String?

    public var count: Int { rewards.count }

    /// Checks that every array has one row per transition and holds finite values, and that
    /// discrete actions are indices below `discreteActions`. The last transition closes an
    /// episode: if neither flag is set, it is marked truncated (the data ends there).
    public init(observationSize: Int, actionSize: Int, discreteActions: Int?, observations: [Float], actions: [Float],
                rewards: [Float], nextObservations: [Float], terminations: [Bool], truncations: [Bool],
                hasNextObservation: [Bool]? = nil, environmentID: String? = nil) throws {
        let n = rewards.count
        guard observationSize >= 1, actionSize >= 1 else { throw DatasetError.malformed("observations and actions need at least one number") }
        guard observations.count == n * observationSize, nextObservations.count == n * observationSize,
              actions.count == n * actionSize, terminations.count == n, truncations.count == n,
              (hasNextObservation?.count ?? n) == n else {
            throw DatasetError.malformed("arrays of different lengths (\(n) rewards, \(observations.count / observationSize) observations, "
                                         + "\(actions.count / actionSize) actions, \(terminations.count) terminations)")
        }
        for (name, values) in [("observations", observations), ("actions", actions), ("rewards", rewards), ("next observations", nextObservations)] {
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw DatasetError.malformed("\(name) hold a non-finite number (\(values[bad])) at value \(bad)")
            }
        }
        if let discreteActions {
            guard actionSize == 1, discreteActions >= 1 else { throw DatasetError.malformed("a discrete action is one index") }
            if let bad = actions.firstIndex(where: { $0 < 0 || $0 >= Float(discreteActions) || $0 != $0.rounded() }) {
                throw DatasetError.malformed("action \(actions[bad]) at transition \(bad) is not an index below \(discreteActions)")
            }
        }
        (self.observationSize, self.actionSize, self.discreteActions) = (observationSize, actionSize, discreteActions)
        (self.observations, self.actions, self.rewards, self.nextObservations) = (observations, actions, rewards, nextObservations)
        self.terminations = terminations
        var truncations = truncations
        if n > 0 && !terminations[n - 1] && !truncations[n - 1] { truncations[n - 1] = true }
        self.truncations = truncations
        self.hasNextObservation = hasNextObservation ?? Array(repeating: true, count: n)
        self.environmentID = environmentID
    }

    /// The episodes as ranges of transitions: each ends at a termination or a truncation.
    public var episodes: [Range<Int>] {
        var ranges: [Range<Int>] = [], start = 0
        for i in 0..<count where terminations[i] || truncations[i] {
            ranges.append(start..<(i + 1))
            start = i + 1
        }
        return ranges
    }

    /// Transitions a temporal-difference learner can use (those with a next observation).
    public var bootstrappable: [Int] { (0..<count).filter { hasNextObservation[$0] } }

    /// Transition `i`'s observation and next observation.
    public func observation(_ i: Int) -> ArraySlice<Float> { observations[(i * observationSize)..<((i + 1) * observationSize)] }
    public func nextObservation(_ i: Int) -> ArraySlice<Float> { nextObservations[(i * observationSize)..<((i + 1) * observationSize)] }

    /// Refuses a dataset whose observations or actions do not fit `environment`'s spaces.
    public func check(against environment: any DynamicEnvironment, id: String) throws {
        let size = environment.observationSpace.flatCount
        guard size == observationSize else {
            throw DatasetError.mismatch("its observations have \(observationSize) numbers, \(id)'s have \(size)")
        }
        switch environment.actionSpace {
        case .discrete(let n):
            guard let discreteActions, discreteActions <= n else {
                throw DatasetError.mismatch("its actions are \(discreteActions.map { "\($0) discrete ones" } ?? "continuous"), \(id) has \(n) discrete actions")
            }
        case .box(_, _, let shape):
            let dimension = shape.reduce(1, *)
            guard discreteActions == nil, actionSize == dimension else {
                throw DatasetError.mismatch("its actions have \(actionSize) numbers\(discreteActions == nil ? "" : " (discrete)"), \(id)'s have \(dimension)")
            }
        case .multiBinary:
            throw DatasetError.unsupported("\(id) has a multi-binary action space")
        }
    }
}

// MARK: - D4RL arrays

extension OfflineDataset {
    /// A D4RL-style `.npz` (`observations`, `actions`, `rewards`, `terminals`, `timeouts`; optionally
    /// `next_observations`). Without next observations, transition i's is observation i + 1 inside
    /// an episode and unknown after a time-out. `discreteActions` nil: integer actions of one column
    /// count as discrete with max + 1 values, others as continuous.
    public static func read(npz url: URL, discreteActions: Int? = nil) throws -> OfflineDataset {
        let arrays = try NumPyArchive.read(npz: url)
        let file = url.lastPathComponent
        func array(_ name: String) throws -> NumPyArray {
            guard let a = arrays[name] else {
                throw DatasetError.malformed("\(file) has no '\(name)' array (it has \(arrays.keys.sorted().joined(separator: ", ")))")
            }
            return a
        }
        let observations = try array("observations"), actions = try array("actions"), rewards = try array("rewards")
        let terminals = try array("terminals"), timeouts = arrays["timeouts"]
        let n = rewards.values.count
        guard let first = observations.shape.first, first == n, observations.shape.count <= 2, (actions.shape.first ?? -1) == n,
              terminals.values.count == n, (timeouts?.values.count ?? n) == n else {
            throw DatasetError.malformed("\(file): arrays of different lengths (observations \(observations.shape), actions \(actions.shape), rewards \(rewards.shape), terminals \(terminals.shape))")
        }
        let observationSize = observations.shape.count == 2 ? observations.shape[1] : 1
        let actionSize = actions.shape.count == 2 ? actions.shape[1] : 1
        let integral = actions.values.allSatisfy { $0 == $0.rounded() && $0 >= 0 }
        let discrete = discreteActions ?? (actionSize == 1 && integral && !actions.values.isEmpty ? Int(actions.values.max()!) + 1 : nil)
        let obs = observations.values.map(Float.init)
        let terminated = terminals.values.map { $0 != 0 }, truncated = (timeouts?.values ?? Array(repeating: 0, count: n)).map { $0 != 0 }
        var next = obs, hasNext = Array(repeating: true, count: n)
        if let given = arrays["next_observations"] {
            guard given.values.count == obs.count else { throw DatasetError.malformed("\(file): next_observations has shape \(given.shape)") }
            next = given.values.map(Float.init)
        } else {
            for i in 0..<n {
                if terminated[i] { continue }  // masked by (1 − d): its own observation stands in
                if truncated[i] || i + 1 == n { hasNext[i] = false; continue }
                for j in 0..<observationSize { next[i * observationSize + j] = obs[(i + 1) * observationSize + j] }
            }
        }
        return try OfflineDataset(observationSize: observationSize, actionSize: actionSize, discreteActions: discrete,
                                  observations: obs, actions: actions.values.map(Float.init), rewards: rewards.values.map(Float.init),
                                  nextObservations: next, terminations: terminated, truncations: truncated, hasNextObservation: hasNext)
    }
}
