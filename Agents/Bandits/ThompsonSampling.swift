import Foundation
import RL
import Tensor

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
