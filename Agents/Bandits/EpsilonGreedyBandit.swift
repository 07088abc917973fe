import Foundation
import RL
import Tensor

/// ε-greedy action values (§2.2–2.6): sample averages, or a constant step size α; Q₁ may be
/// optimistic (§2.6). Ties among greedy arms are broken at random.
public struct EpsilonGreedyBandit: BanditAgent {
    public let epsilon: Double
    /// nil: sample averages, Q ← Q + (R − Q)/N; otherwise Q ← Q + α(R − Q).
    public let stepSize: Double?
    public private(set) var estimates: [Double]
    public private(set) var counts: [Int]

    public init(arms: Int, epsilon: Double, stepSize: Double? = nil, initialValue: Double = 0) {
        self.epsilon = epsilon
        self.stepSize = stepSize
        estimates = Array(repeating: initialValue, count: arms)
        counts = Array(repeating: 0, count: arms)
    }

    public mutating func selectArm(using generator: inout RandomGenerator) -> Int {
        epsilonGreedy(estimates, epsilon: epsilon, using: &generator)
    }

    public mutating func update(arm: Int, reward: Double) {
        counts[arm] += 1
        estimates[arm] += (stepSize ?? 1 / Double(counts[arm])) * (reward - estimates[arm])
    }
}
