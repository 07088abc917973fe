import Foundation
import RL
import Random

// What `athanor dataset info`, `collect` and `mix` do, for Swift callers too.

/// A dataset's summary: sizes, episode returns and how often each action was taken.
public struct DatasetSummary: Sendable {
    public let transitions: Int, episodes: Int, terminated: Int, truncated: Int
    /// Every episode's return (an episode the data cut short counts as it is).
    public let returns: [Double]
    /// Discrete: transitions per action; continuous: each dimension's mean.
    public let actionHistogram: [Double]
    public let discrete: Bool

    public init(_ dataset: OfflineDataset) {
        let episodes = dataset.episodes
        transitions = dataset.count
        self.episodes = episodes.count
        terminated = dataset.terminations.filter { $0 }.count
        truncated = episodes.count - terminated
        returns = episodes.map { r in r.reduce(0.0) { $0 + Double(dataset.rewards[$1]) } }
        discrete = dataset.discreteActions != nil
        if let n = dataset.discreteActions {
            var counts = [Double](repeating: 0, count: n)
            for a in dataset.actions { counts[Int(a)] += 1 }
            actionHistogram = counts
        } else {
            let d = dataset.actionSize
            actionHistogram = (0..<d).map { j in
                stride(from: j, to: dataset.actions.count, by: d).reduce(0.0) { $0 + Double(dataset.actions[$1]) } / Double(Swift.max(dataset.count, 1))
            }
        }
    }

    public var meanReturn: Double { returns.isEmpty ? .nan : returns.reduce(0, +) / Double(returns.count) }
    public var returnStandardDeviation: Double {
        let m = meanReturn
        return returns.isEmpty ? .nan : (returns.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(returns.count)).squareRoot()
    }

    public var text: String {
        var lines = ["transitions \(transitions), episodes \(episodes) (\(terminated) terminated, \(truncated) truncated)"]
        lines.append(String(format: "episode return %.1f ± %.1f (min %.1f, max %.1f)", meanReturn, returnStandardDeviation,
                            returns.min() ?? .nan, returns.max() ?? .nan))
        if discrete {
            let total = Swift.max(actionHistogram.reduce(0, +), 1)
            lines.append("actions " + actionHistogram.enumerated().map { String(format: "%d: %.0f (%.1f %%)", $0.offset, $0.element, 100 * $0.element / total) }
                            .joined(separator: ", "))
        } else {
            lines.append("action means " + actionHistogram.map { String(format: "%.3f", $0) }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

extension OfflineDataset {
    /// 64-bit FNV-1a over the sizes, every array's bits and the episode flags, as 16 hex digits:
    /// the same transitions give the same fingerprint whether read from `.npz` or Minari. Runs
    /// record it, so a table never puts runs trained on two different files of one name together
    /// (a replay dataset made on another machine differs).
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) { hash = (hash ^ UInt64((word >> UInt32(shift)) & 0xff)) &* 0x100_0000_01b3 }
        }
        for size in [observationSize, actionSize, discreteActions ?? 0, count] { mix(UInt32(truncatingIfNeeded: size)) }
        for array in [observations, actions, rewards, nextObservations] { for value in array { mix(value.bitPattern) } }
        for (index, flags) in [terminations, truncations, hasNextObservation].enumerated() {
            for flag in flags { mix(flag ? UInt32(index + 1) : 0) }
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }

    /// Plays `episodes` whole episodes of `environment` (reset with `seed`, then continuing its
    /// generator) choosing actions with `policy` from the flat observation; every transition is
    /// kept with its two flags, the next observation being the one the episode ended on.
    public static func collect(on environment: any DynamicEnvironment, episodes: Int, seed: UInt64, environmentID: String? = nil,
                               policy: ([Float]) throws -> [Float]) throws -> OfflineDataset {
        var env = environment
        let discrete = environment.actionSpace.discreteCount
        let actionSize = discrete == nil ? environment.actionSpace.flatCount : 1
        var observations: [Float] = [], actions: [Float] = [], rewards: [Float] = [], next: [Float] = []
        var terminations: [Bool] = [], truncations: [Bool] = []
        var observation = env.resetFlat(seed: seed).observation
        for _ in 0..<episodes {
            while true {
                let action = try policy(observation)
                let t = try env.stepFlat(action.map(Double.init))
                observations += observation
                actions += action
                rewards.append(Float(t.reward))
                next += t.observation
                terminations.append(t.terminated)
                truncations.append(t.truncated && !t.terminated)
                if t.isLast { break }
                observation = t.observation
            }
            observation = env.resetFlat(seed: nil).observation
        }
        return try OfflineDataset(observationSize: environment.observationSpace.flatCount, actionSize: actionSize, discreteActions: discrete,
                                  observations: observations, actions: actions, rewards: rewards, nextObservations: next,
                                  terminations: terminations, truncations: truncations, environmentID: environmentID)
    }

    /// Whole episodes of each part in turn, as in the literature's "mixed" datasets: from each
    /// `(dataset, transitions)` its first episodes until that many transitions (the last one cut,
    /// and marked truncated, if it would overflow).
    public static func mix(_ parts: [(dataset: OfflineDataset, transitions: Int)]) throws -> OfflineDataset {
        guard let first = parts.first?.dataset else { throw DatasetError.malformed("nothing to mix") }
        for part in parts where part.dataset.observationSize != first.observationSize || part.dataset.actionSize != first.actionSize
            || (part.dataset.discreteActions == nil) != (first.discreteActions == nil) {
            throw DatasetError.mismatch("datasets of different observation or action shapes cannot be mixed")
        }
        var o: [Float] = [], a: [Float] = [], r: [Float] = [], n: [Float] = [], te: [Bool] = [], tr: [Bool] = [], h: [Bool] = []
        for (dataset, wanted) in parts {
            guard wanted <= dataset.count else { throw DatasetError.mismatch("asked for \(wanted) transitions of a dataset of \(dataset.count)") }
            let d = dataset.observationSize, k = dataset.actionSize
            for i in 0..<wanted {
                o += dataset.observations[(i * d)..<((i + 1) * d)]
                n += dataset.nextObservations[(i * d)..<((i + 1) * d)]
                a += dataset.actions[(i * k)..<((i + 1) * k)]
                r.append(dataset.rewards[i])
                te.append(dataset.terminations[i])
                tr.append(dataset.truncations[i] || (i == wanted - 1 && !dataset.terminations[i]))
                h.append(dataset.hasNextObservation[i])
            }
        }
        return try OfflineDataset(observationSize: first.observationSize, actionSize: first.actionSize,
                                  discreteActions: parts.compactMap(\.dataset.discreteActions).max(), observations: o, actions: a,
                                  rewards: r, nextObservations: n, terminations: te, truncations: tr, hasNextObservation: h,
                                  environmentID: first.environmentID)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: Swift.max(width - count, 0)) + self }
}
