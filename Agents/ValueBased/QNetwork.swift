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
        let sizes = [observationSize] + hidden
        var layers: [any Layer] = []
        for i in 0..<(sizes.count - 1) {
            layers.append(Linear(sizes[i], sizes[i + 1], using: &generator))
            layers.append(Activation(.relu))
        }
        trunk = Sequential(layers)
        output = Linear(sizes.last!, actions, using: &generator)
        value = dueling ? Linear(sizes.last!, 1, using: &generator) : nil
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
