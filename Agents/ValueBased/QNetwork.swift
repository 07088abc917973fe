import NN
import Tensor

/// Q(s, ·) as an MLP with ReLU (SB3's `QNetwork`, PyTorch's default initialisation), or with a
/// dueling head (Wang et al., 2016): Q = V + A − mean(A), from a shared trunk.
public final class QNetwork: Module {
    public let trunk: Sequential
    public let output: Linear
    /// The state-value stream of the dueling head; nil for a plain Q-network.
    public let value: Linear?

    public init(observationSize: Int, actions: Int, hidden: [Int], dueling: Bool, using generator: inout RandomGenerator) {
        precondition(!hidden.isEmpty, "a Q-network needs at least one hidden layer")
        trunk = Sequential.mlp([observationSize] + hidden, activation: .relu, activatingOutput: true, using: &generator)
        output = Linear(hidden.last!, actions, using: &generator)
        value = dueling ? Linear(hidden.last!, 1, using: &generator) : nil
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        trunk.parameters(prefixedBy: "trunk") + output.parameters(prefixedBy: "q")
            + (value.map { $0.parameters(prefixedBy: "value") } ?? [])
    }

    /// Q-values [N, actions] for observations [N, obs].
    public func callAsFunction(_ observations: Tensor) -> Tensor {
        let features = trunk(observations)
        guard let value else { return output(features) }
        let advantages = output(features)
        return value(features) + advantages - advantages.mean(alongAxis: 1, keepingDimensions: true)
    }
}
