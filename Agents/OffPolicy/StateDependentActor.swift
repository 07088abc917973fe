// Generalised state-dependent exploration (gSDE) — Raffin, Kober & Stulp (2021), "Smooth Exploration
// for Robotic Reinforcement Learning", CoRL, arXiv:2005.05719 — as Stable-Baselines3's
// `StateDependentNoiseDistribution` runs it inside SAC (`use_sde=True`): the exploration noise is a
// linear function of the policy's last features, ε(s) = z(s)·θ_ε, with θ_ε drawn now and then, so the
// same state gets the same perturbation until θ_ε is drawn again. On MountainCarContinuous this
// steady push is what finds the hill top that per-step white noise shakes out of reach.
import Foundation
import NN
import RL
import Tensor

/// SAC's two policies: both squash a Gaussian through tanh and draw their randomness from a
/// block of standard-normal numbers the agent hands them (its generator, its checkpoint).
public protocol SquashedPolicy: Module {
    /// How many standard-normal numbers one draw for `rows` rows of observations takes.
    func noiseCount(rows: Int) -> Int
    /// Reparameterised actions in (−1, 1) [N, act] and their log-probabilities [N].
    func sample(_ observations: Tensor, noise: [Float]) -> (actions: Tensor, logProbability: Tensor)
    /// The deterministic policy's actions [N, act].
    func mode(_ observations: Tensor) -> Tensor
}

extension SquashedGaussianActor: SquashedPolicy {
    /// One ε per row and action.
    public func noiseCount(rows: Int) -> Int { rows * mean.outFeatures }
}

/// SAC's policy with gSDE: an MLP trunk z(s) [N, k], a mean head μ(s) = clip(W z + b, ±2) (SB3's
/// `clip_mean`), and a learned log σ [k, act] for the exploration weights θ_ε ~ N(0, σ²), θ_ε = σ ⊙ ε.
///   u = μ(s) + z(s)·θ_ε,  a = tanh(u),
///   u ~ N(μ(s), z(s)²·σ²) per action (each u is a sum of independent Gaussians over the k features),
///   log π(a|s) = Σᵢ [log N(uᵢ; μᵢ, √(vᵢ + 10⁻⁶)) − log(1 − tanh(uᵢ)² + 10⁻⁶)],  v = z²·σ².
/// The gradient reaches log σ through θ_ε and v, and the trunk through z (SB3's `learn_features=True`).
public final class StateDependentActor: SquashedPolicy {
    public let trunk: Sequential
    public let mean: Linear
    /// log σ of the exploration weights, one per feature and action (SB3's `full_std=True`).
    public let logStd: Parameter
    /// SB3's bound on the mean before the squash (a Hardtanh), against numerical trouble in tanh.
    static let clipMean: Float = 2

    public init(observationSize: Int, actionSize: Int, hidden: [Int], logStdInit: Float, using generator: inout RandomGenerator) {
        let features = hidden.last ?? observationSize
        trunk = Sequential.mlp([observationSize] + hidden, activation: .relu, activatingOutput: true, using: &generator)
        mean = Linear(features, actionSize, using: &generator)
        logStd = Parameter(.full(logStdInit, shape: [features, actionSize]))
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        trunk.parameters(prefixedBy: "trunk") + mean.parameters(prefixedBy: "mu") + [("log_std", logStd)]
    }

    var featureCount: Int { logStd.shape[0] }

    /// One exploration matrix ε [k, act] for all the rows: θ_ε is drawn per minibatch (SB3's `reset_noise`).
    public func noiseCount(rows: Int) -> Int { logStd.value.count }

    /// Actions tanh(μ + z·(σ ⊙ ε)) for `noise` = ε [k, act], and their log-probabilities.
    public func sample(_ observations: Tensor, noise: [Float]) -> (actions: Tensor, logProbability: Tensor) {
        let z = trunk(observations)                                            // [N, k]
        let mu = mean(z).clamped(min: -Self.clipMean, max: Self.clipMean)      // [N, act]
        let sigma = logStd.value.exp()                                         // [k, act]
        let weights = sigma * Tensor(noise, shape: logStd.shape)               // θ_ε [k, act]
        let deviation = Tensor.matmul(z, weights)                              // u − μ = z·θ_ε [N, act]
        let std = (Tensor.matmul(z.square(), sigma.square()) + 1e-6).sqrt()   // √(z²·σ² + 10⁻⁶) [N, act]
        let actions = (mu + deviation).tanh()
        let gaussian = -0.5 * (deviation / std).square() - std.log() - Float(0.5 * Foundation.log(2 * Double.pi))
        let correction = (1 - actions.square() + 1e-6).log()
        return (actions, (gaussian - correction).sum(alongAxis: 1))
    }

    /// tanh(μ(s)): gSDE's deterministic policy has no noise at all.
    public func mode(_ observations: Tensor) -> Tensor {
        mean(trunk(observations)).clamped(min: -Self.clipMean, max: Self.clipMean).tanh()
    }
}
