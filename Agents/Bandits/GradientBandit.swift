import Foundation
import RL
import Tensor

/// The gradient bandit (§2.8): soft-max preferences H, moved by α(R − R̄)(𝟙[a = A] − π(a)),
/// with R̄ the average of all rewards so far (including this one), or 0 without a baseline.
public struct GradientBandit: BanditAgent {
    public let alpha: Double
    public let baseline: Bool
    public private(set) var preferences: [Double]
    private var averageReward = 0.0
    private var time = 0

    public init(arms: Int, alpha: Double, baseline: Bool = true) {
        self.alpha = alpha
        self.baseline = baseline
        preferences = Array(repeating: 0, count: arms)
    }

    /// π(a) = e^{H(a)} / Σ_b e^{H(b)}.
    public var probabilities: [Double] {
        let m = preferences.max()!
        let e = preferences.map { Foundation.exp($0 - m) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    public var estimates: [Double] { probabilities }

    public mutating func selectArm(using generator: inout RandomGenerator) -> Int {
        var u = generator.nextUniformDouble()
        let p = probabilities
        for (a, pa) in p.enumerated() {
            u -= pa
            if u < 0 { return a }
        }
        return p.count - 1
    }

    public mutating func update(arm: Int, reward: Double) {
        time += 1
        averageReward += (reward - averageReward) / Double(time)
        let advantage = reward - (baseline ? averageReward : 0)
        let p = probabilities
        for a in preferences.indices { preferences[a] += alpha * advantage * ((a == arm ? 1 : 0) - p[a]) }
    }
}
