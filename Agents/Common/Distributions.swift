import Foundation
import RL
import Tensor

/// The action distributions of policy-gradient agents: categorical over logits for discrete
/// actions, and a diagonal Gaussian with a state-independent log standard deviation for
/// continuous ones (SB3's and CleanRL's choices). Actions travel as flat rows of numbers.
public enum ActionDistribution {
    /// Logits [N, A].
    case categorical(logits: Tensor)
    /// Means [N, D] and log standard deviations [D].
    case gaussian(mean: Tensor, logStd: Tensor)

    private static let halfLogTwoPi = Float(0.5 * Foundation.log(2 * Double.pi))

    /// log π(a|s) for actions given as rows ([N] or [N, D] values): [N].
    public func logProbability(of actions: [Float]) -> Tensor {
        switch self {
        case .categorical(let logits):
            return logits.logSoftmax(picking: actions.map { Int($0) })
        case .gaussian(let mean, let logStd):
            let a = Tensor(actions, shape: mean.shape)
            let z = (a - mean) / logStd.exp()
            // −½z² − log σ − ½ log 2π, summed over the action's components.
            return (-0.5 * z.square() - logStd - Self.halfLogTwoPi).sum(alongAxis: 1)
        }
    }

    /// Entropy of each row: [N].
    public func entropy() -> Tensor {
        switch self {
        case .categorical(let logits):
            let logp = logits.logSoftmax()
            return -(logp.exp() * logp).sum(alongAxis: 1)
        case .gaussian(let mean, let logStd):
            // ½ + ½ log 2π + log σ per component, the same for every row.
            let perRow = (logStd + (0.5 + Self.halfLogTwoPi)).sum()
            return perRow.expanded(to: [mean.shape[0]])
        }
    }

    /// One sampled action per row, flat.
    public func sample(using generator: inout RandomGenerator) -> [Float] {
        switch self {
        case .categorical(let logits):
            return logits.sampleCategorical(using: &generator).map(Float.init)
        case .gaussian(let mean, let logStd):
            let mu = mean.scalars, sigma = logStd.exp().scalars, d = sigma.count
            return mu.indices.map { mu[$0] + sigma[$0 % d] * generator.nextNormal() }
        }
    }

    /// The most likely action per row (the deterministic policy), flat.
    public var mode: [Float] {
        switch self {
        case .categorical(let logits): logits.argmax(alongAxis: 1).map(Float.init)
        case .gaussian(let mean, _): mean.scalars
        }
    }
}
