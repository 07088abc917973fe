import Foundation
import RL
import Tensor

/// An agent for the k-armed bandit problem (Sutton & Barto chapter 2): pick an arm, learn from its reward.
public protocol BanditAgent {
    /// The agent's current estimate of each arm's value (what a renderer shows).
    var estimates: [Double] { get }
    mutating func selectArm(using generator: inout RandomGenerator) -> Int
    mutating func update(arm: Int, reward: Double)
}

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

/// Thompson sampling (Thompson, 1933; Russo et al., 2018): sample each arm's value from its
/// posterior, pull the best sample. Bernoulli arms use Beta(1 + wins, 1 + losses); Gaussian arms
/// (unit reward noise) a N(0, 1) prior, giving N(Σr / (n + 1), 1 / (n + 1)).
public struct ThompsonSampling: BanditAgent {
    public enum Likelihood: Sendable { case bernoulli, gaussian }
    public let likelihood: Likelihood
    public private(set) var counts: [Int]
    public private(set) var rewardSums: [Double]

    public init(arms: Int, likelihood: Likelihood) {
        self.likelihood = likelihood
        counts = Array(repeating: 0, count: arms)
        rewardSums = Array(repeating: 0, count: arms)
    }

    /// Posterior means.
    public var estimates: [Double] {
        counts.indices.map { a in
            likelihood == .bernoulli ? (1 + rewardSums[a]) / Double(2 + counts[a]) : rewardSums[a] / Double(counts[a] + 1)
        }
    }

    public mutating func selectArm(using generator: inout RandomGenerator) -> Int {
        let samples = counts.indices.map { a -> Double in
            switch likelihood {
            case .bernoulli:
                let x = gammaSample(shape: 1 + rewardSums[a], using: &generator)
                let y = gammaSample(shape: 1 + Double(counts[a]) - rewardSums[a], using: &generator)
                return x / (x + y)
            case .gaussian:
                let n = Double(counts[a] + 1)
                return rewardSums[a] / n + Double(generator.nextNormal()) / n.squareRoot()
            }
        }
        return epsilonGreedy(samples, epsilon: 0, using: &generator)
    }

    public mutating func update(arm: Int, reward: Double) {
        counts[arm] += 1
        rewardSums[arm] += reward
    }
}

/// Gamma(shape, 1) by Marsaglia & Tsang (2000); shapes below 1 through the boost Γ(a+1)·U^(1/a).
func gammaSample(shape: Double, using generator: inout RandomGenerator) -> Double {
    if shape < 1 {
        return gammaSample(shape: shape + 1, using: &generator) * Foundation.pow(generator.nextUniformDouble(), 1 / shape)
    }
    let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
    while true {
        var x = 0.0, v = 0.0
        repeat {
            x = Double(generator.nextNormal())
            v = 1 + c * x
        } while v <= 0
        v = v * v * v
        let u = generator.nextUniformDouble()
        if u < 1 - 0.0331 * x * x * x * x || Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) {
            return d * v
        }
    }
}
