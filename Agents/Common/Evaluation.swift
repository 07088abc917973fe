import Foundation
import RL

/// Mean and standard deviation of episode returns (SB3's `evaluate_policy` report).
public struct EvaluationResult: Sendable, Equatable {
    public let returns: [Double]
    public let lengths: [Int]
    /// Per episode, whether its last step reported `info["is_success"]` = 1 (goal tasks; empty
    /// where the environment reports no success), as SB3's `evaluate_policy` counts it.
    public var successes: [Bool] = []

    public init(returns: [Double], lengths: [Int], successes: [Bool] = []) {
        (self.returns, self.lengths, self.successes) = (returns, lengths, successes)
    }

    /// The share of successful episodes, or nil where the environment reports no success.
    public var successRate: Double? {
        successes.isEmpty ? nil : Double(successes.filter { $0 }.count) / Double(successes.count)
    }

    public var mean: Double { returns.reduce(0, +) / Double(Swift.max(returns.count, 1)) }
    /// Population standard deviation, as NumPy's `std` (what SB3 prints).
    public var standardDeviation: Double {
        let m = mean
        return (returns.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(Swift.max(returns.count, 1))).squareRoot()
    }
}

/// Plays `episodes` whole episodes on `environment` (which carries its time limit), reset with
/// `seed` first and then continuing its generator, choosing each action with `policy` from the
/// flat observation. Returns are the environment's own rewards, never normalised ones.
public func evaluatePolicy(on environment: any DynamicEnvironment, episodes: Int, seed: UInt64,
                           policy: ([Float]) throws -> [Float]) throws -> EvaluationResult {
    var env = environment
    var returns: [Double] = [], lengths: [Int] = [], successes: [Bool] = []
    var observation = env.resetFlat(seed: seed).observation
    for _ in 0..<episodes {
        var total = 0.0, length = 0
        while true {
            let t = try env.stepFlat(policy(observation).map(Double.init))
            total += t.reward
            length += 1
            if t.isLast {
                if let success = t.info["is_success"]?.number { successes.append(success == 1) }
                break
            }
            observation = t.observation
        }
        returns.append(total)
        lengths.append(length)
        observation = env.resetFlat(seed: nil).observation
    }
    return EvaluationResult(returns: returns, lengths: lengths, successes: successes.count == episodes ? successes : [])
}
