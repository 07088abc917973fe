import NN
import RL
import Tensor

/// The policy and value networks of the policy-gradient agents, as SB3's `MlpPolicy`: separate
/// actor and critic MLPs (tanh, 64-64 by default), a categorical head for discrete actions or a
/// Gaussian with a state-independent log-std for continuous ones, and orthogonal initialisation
/// (hidden gain √2, policy output 0.01, value output 1, zero biases) when `orthogonal` is set.
/// With `shared`, one hidden trunk feeds both a policy head and a value head (the original A2C
/// and PPO Atari networks); `actor` and `critic` are then the heads alone.
public final class ActorCritic: Module {
    public enum Head: Sendable {
        case discrete(actions: Int)
        case continuous(dimension: Int, low: [Float], high: [Float])
    }

    public let head: Head
    public let actor: Sequential
    public let critic: Sequential
    /// The hidden layers both heads read, when the network is shared.
    public let trunk: Sequential?
    public let logStd: Parameter?

    public var isShared: Bool { trunk != nil }

    public init(observationSize: Int, actionSpace: Space, hidden: [Int], activation: Activation.Kind = .tanh,
                orthogonal: Bool = true, logStdInit: Float = 0, shared: Bool = false,
                using generator: inout RandomGenerator) throws {
        switch actionSpace {
        case .discrete(let n): head = .discrete(actions: n)
        case .box(let low, let high, let shape) where shape.count == 1:
            head = .continuous(dimension: shape[0], low: low.map(Float.init), high: high.map(Float.init))
        default:
            throw TrainingError.unsupported("policy-gradient agents need a Discrete or one-dimensional Box action space, not \(actionSpace)")
        }
        let outputs: Int
        switch head {
        case .discrete(let n): outputs = n
        case .continuous(let d, _, _): outputs = d
        }
        if shared {
            guard !hidden.isEmpty else { throw TrainingError.unsupported("a shared network needs at least one hidden layer") }
            trunk = Sequential.mlp([observationSize] + hidden, activation: activation, activatingOutput: true, using: &generator)
            actor = Sequential([Linear(hidden.last!, outputs, using: &generator)])
            critic = Sequential([Linear(hidden.last!, 1, using: &generator)])
        } else {
            trunk = nil
            actor = Sequential.mlp([observationSize] + hidden + [outputs], activation: activation, using: &generator)
            critic = Sequential.mlp([observationSize] + hidden + [1], activation: activation, using: &generator)
        }
        if case .continuous(let d, _, _) = head {
            logStd = Parameter(Tensor.full(logStdInit, shape: [d]))
        } else {
            logStd = nil
        }
        if orthogonal {
            if let trunk { Self.initialiseOrthogonally(trunk, outputGain: Float(2).squareRoot(), using: &generator) }
            Self.initialiseOrthogonally(actor, outputGain: 0.01, using: &generator)
            Self.initialiseOrthogonally(critic, outputGain: 1, using: &generator)
        }
    }

    private static func initialiseOrthogonally(_ network: Sequential, outputGain: Float, using generator: inout RandomGenerator) {
        let linears = network.layers.compactMap { $0 as? Linear }
        for (index, layer) in linears.enumerated() {
            let gain = index == linears.count - 1 ? outputGain : Float(2).squareRoot()
            layer.weight.assign(Initializer.orthogonal(layer.weight.shape, gain: gain, using: &generator))
            if let bias = layer.bias { bias.assign(.zeros(bias.shape)) }
        }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        (trunk.map { $0.parameters(prefixedBy: "trunk") } ?? []) + actor.parameters(prefixedBy: "actor") + critic.parameters(prefixedBy: "critic")
            + (logStd.map { [("log_std", $0)] } ?? [])
    }

    /// Numbers per action row in buffers: 1 for discrete, the dimension for continuous.
    public var actionSize: Int {
        switch head {
        case .discrete: 1
        case .continuous(let d, _, _): d
        }
    }

    /// π(·|s) for observations [N, obs].
    public func distribution(_ observations: Tensor) -> ActionDistribution {
        let out = actor(trunk.map { $0(observations) } ?? observations)
        switch head {
        case .discrete: return .categorical(logits: out)
        case .continuous: return .gaussian(mean: out, logStd: logStd!.value)
        }
    }

    /// V(s) for observations [N, obs]: [N].
    public func value(_ observations: Tensor) -> Tensor {
        critic(trunk.map { $0(observations) } ?? observations).reshaped(to: [observations.shape[0]])
    }

    /// π(·|s) and V(s) for observations [N, obs] at once. With separate networks the two passes
    /// share nothing, so the core may run them side by side (`evaluateTogether`); with a shared
    /// trunk the trunk runs once under both heads.
    public func evaluate(_ observations: Tensor) -> (distribution: ActionDistribution, values: Tensor) {
        guard let trunk else { return evaluateTogether({ distribution(observations) }, { value(observations) }) }
        let features = trunk(observations)
        let out = actor(features)
        let values = critic(features).reshaped(to: [observations.shape[0]])
        switch head {
        case .discrete: return (.categorical(logits: out), values)
        case .continuous: return (.gaussian(mean: out, logStd: logStd!.value), values)
        }
    }

    /// The action for one observation: the mode of π(·|s) or a sample, clipped for the environment.
    public func act(_ observation: [Float], deterministic: Bool, using generator: inout RandomGenerator) -> [Float] {
        withoutGrad {
            let distribution = distribution(Tensor(observation, shape: [1, observation.count]))
            return environmentActions(deterministic ? distribution.mode : distribution.sample(using: &generator))
        }
    }

    /// π(·|s) (discrete actions; empty for continuous ones) and V(s) for one observation.
    public func internals(_ observation: [Float]) -> (probabilities: [Double], value: Double) {
        withoutGrad {
            let input = Tensor(observation, shape: [1, observation.count])
            var probabilities: [Double] = []
            if case .categorical(let logits) = distribution(input) { probabilities = logits.softmax().scalars.map(Double.init) }
            return (probabilities, Double(value(input).item))
        }
    }

    /// What the environment receives: continuous actions are clipped to the box (the unclipped
    /// sample stays in the buffer, as SB3 keeps it, so log-probabilities stay exact).
    public func environmentActions(_ actions: [Float]) -> [Float] {
        guard case .continuous(let d, let low, let high) = head else { return actions }
        return actions.indices.map { Swift.min(Swift.max(actions[$0], low[$0 % d]), high[$0 % d]) }
    }
}
