import Foundation
import RL
import Tensor

/// Upper-confidence-bound selection (§2.7): argmax Q(a) + c √(ln t / N(a)), untried arms first.
public struct UCBBandit: BanditAgent {
    public let c: Double
    public private(set) var estimates: [Double]
    public private(set) var counts: [Int]
    private var time = 0

    public init(arms: Int, c: Double) {
        self.c = c
        estimates = Array(repeating: 0, count: arms)
        counts = Array(repeating: 0, count: arms)
    }

    /// The bound each arm is chosen by (infinite for untried arms).
    public var upperBounds: [Double] {
        estimates.indices.map { a in
            counts[a] == 0 ? .infinity : estimates[a] + c * (Foundation.log(Double(time)) / Double(counts[a])).squareRoot()
        }
    }

    public mutating func selectArm(using generator: inout RandomGenerator) -> Int {
        time += 1
        return epsilonGreedy(upperBounds, epsilon: 0, using: &generator)
    }

    public mutating func update(arm: Int, reward: Double) {
        counts[arm] += 1
        estimates[arm] += (reward - estimates[arm]) / Double(counts[arm])
    }
}
