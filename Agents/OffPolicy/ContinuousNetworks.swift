import Foundation
import NN
import RL
import Tensor

/// Continuous actions as the off-policy agents hold them: in [−1, 1] per component (what the
/// actors output, the replay buffer stores and the critics read), mapped to the environment's
/// box on the way out, as Stable-Baselines3 scales them.
public struct ActionScale: Sendable {
    public let low: [Float], high: [Float]

    public init(_ space: Space) throws {
        guard case .box(let low, let high, _) = space, low.allSatisfy(\.isFinite), high.allSatisfy(\.isFinite) else {
            throw TrainingError.unsupported("the off-policy continuous agents need a bounded Box action space, not \(space)")
        }
        (self.low, self.high) = (low.map(Float.init), high.map(Float.init))
    }

    public var dimension: Int { low.count }

    /// Rows of actions in [−1, 1] as the environment's actions: low + (a + 1)/2 · (high − low).
    public func environmentActions(_ scaled: [Float]) -> [Float] {
        scaled.indices.map { i in let d = i % low.count; return low[d] + (scaled[i] + 1) * 0.5 * (high[d] - low[d]) }
    }

    /// The inverse: rows of environment actions (a dataset's) in [−1, 1], clipped to the box.
    public func scaledActions(_ actions: [Float]) -> [Float] {
        actions.indices.map { i in
            let d = i % low.count
            return Swift.min(Swift.max(2 * (actions[i] - low[d]) / (high[d] - low[d]) - 1, -1), 1)
        }
    }
}

/// Q(s, a) for continuous actions: `count` independent MLPs (ReLU) over the observation and the
/// action side by side, as SB3's `ContinuousCritic` (two for TD3 and SAC, one for DDPG).
public final class ContinuousCritic: Module {
    public let networks: [Sequential]

    public init(observationSize: Int, actionSize: Int, hidden: [Int], count: Int, using generator: inout RandomGenerator) {
        networks = (0..<count).map { _ in
            Sequential.mlp([observationSize + actionSize] + hidden + [1], activation: .relu, using: &generator)
        }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        networks.enumerated().flatMap { $0.element.parameters(prefixedBy: "q\($0.offset + 1)") }
    }

    /// Each network's Q-values [N] for observations [N, obs] and actions [N, act]. Twin critics
    /// share nothing but their input, so the core may run them side by side (`evaluateTogether`).
    public func callAsFunction(_ observations: Tensor, _ actions: Tensor) -> [Tensor] {
        let input = Tensor.concatenate([observations, actions], alongAxis: 1), rows = observations.shape[0]
        guard networks.count == 2 else { return networks.map { $0(input).reshaped(to: [rows]) } }
        let (q1, q2) = evaluateTogether({ self.networks[0](input).reshaped(to: [rows]) },
                                        { self.networks[1](input).reshaped(to: [rows]) })
        return [q1, q2]
    }

    /// Q₁(s, a) [N] alone: what TD3's actor loss reads (SB3's `q1_forward`).
    public func first(_ observations: Tensor, _ actions: Tensor) -> Tensor {
        networks[0](Tensor.concatenate([observations, actions], alongAxis: 1)).reshaped(to: [observations.shape[0]])
    }

    /// θ̄ ← τθ + (1 − τ)θ̄, parameter by parameter (Polyak averaging of target networks).
    public func softUpdate(from online: Module, tau: Float) {
        polyakUpdate(self, from: online, tau: tau)
    }
}

/// θ̄ ← τθ + (1 − τ)θ̄ for every parameter of `target` and its twin in `online`.
func polyakUpdate(_ target: Module, from online: Module, tau: Float) {
    for (source, destination) in zip(online.parameters, target.parameters) {
        source.value.withUnsafeBufferPointer { s in
            destination.update { t in for i in t.indices { t[i] = tau * s[i] + (1 - tau) * t[i] } }
        }
    }
}

/// SAC's policy: an MLP (ReLU) with a mean and a log-standard-deviation head; actions are
/// a = tanh(u), u ~ N(μ(s), σ(s)²), so they lie in (−1, 1).
public final class SquashedGaussianActor: Module {
    public let trunk: Sequential
    public let mean: Linear, logStd: Linear
    /// SB3's bounds on log σ.
    static let logStdRange: ClosedRange<Float> = -20...2

    public init(observationSize: Int, actionSize: Int, hidden: [Int], using generator: inout RandomGenerator) {
        trunk = Sequential.mlp([observationSize] + hidden, activation: .relu, activatingOutput: true, using: &generator)
        mean = Linear(hidden.last ?? observationSize, actionSize, using: &generator)
        logStd = Linear(hidden.last ?? observationSize, actionSize, using: &generator)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        trunk.parameters(prefixedBy: "trunk") + mean.parameters(prefixedBy: "mu") + logStd.parameters(prefixedBy: "log_std")
    }

    /// μ(s) and log σ(s) [N, act].
    public func parameters(_ observations: Tensor) -> (mean: Tensor, logStd: Tensor) {
        let features = trunk(observations)
        return (mean(features), logStd(features).clamped(min: Self.logStdRange.lowerBound, max: Self.logStdRange.upperBound))
    }

    /// Reparameterised actions a = tanh(μ + σ ⊙ ε) [N, act] for the given standard-normal noise
    /// ε, and their log-probabilities [N] under the squashed Gaussian:
    ///   log π(a|s) = Σᵢ [log N(uᵢ; μᵢ, σᵢ) − log(1 − tanh(uᵢ)² + 10⁻⁶)]
    /// (the change of variables through tanh; the 10⁻⁶ is SB3's guard against log 0).
    public func sample(_ observations: Tensor, noise: [Float]) -> (actions: Tensor, logProbability: Tensor) {
        let (mu, logSigma) = parameters(observations)
        let epsilon = Tensor(noise, shape: mu.shape)
        let u = mu + logSigma.exp() * epsilon
        let actions = u.tanh()
        let gaussian = (-0.5 * epsilon.square() - logSigma - Float(0.5 * Foundation.log(2 * Double.pi)))
        let correction = (1 - actions.square() + 1e-6).log()
        return (actions, (gaussian - correction).sum(alongAxis: 1))
    }

    /// The mode's action tanh(μ(s)) [N, act] (the deterministic policy).
    public func mode(_ observations: Tensor) -> Tensor { parameters(observations).mean.tanh() }
}

/// TD3's and DDPG's policy: a deterministic MLP (ReLU) with a tanh output, μ(s) ∈ [−1, 1].
public final class DeterministicActor: Module {
    public let network: Sequential

    public init(observationSize: Int, actionSize: Int, hidden: [Int], using generator: inout RandomGenerator) {
        network = Sequential.mlp([observationSize] + hidden + [actionSize], activation: .relu, using: &generator)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { network.parameters(prefixedBy: "mu") }

    public func callAsFunction(_ observations: Tensor) -> Tensor { network(observations).tanh() }
}
