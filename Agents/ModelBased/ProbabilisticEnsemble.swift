// The probabilistic ensemble of PETS (Chua et al. 2018), laid out as MBRL-Lib's `GaussianMLP`:
// E members, each an MLP from a normalised (observation, action) to a Gaussian over the change of
// the observation, N(μ, diag(exp(log σ²))). Every layer is one batched product over the members,
// [E, B, in] · [E, in, out] — no loop over members.
//
//   log σ² = max − softplus(max − raw),  then  log σ² = min + softplus(log σ² − min)   (soft bounds)
//   NLL    = Σ_members mean_{batch, outputs} [ (μ − y)² · exp(−log σ²) + log σ² ] + 0.01·(Σ max − Σ min)
import NN
import Random
import Tensor

/// E linear maps applied at once: x [E, B, in] → x·W + b, W [E, in, out], b [E, 1, out].
public final class EnsembleLinear: Module {
    public let weight: Parameter, bias: Parameter

    /// Weights from a normal truncated at two standard deviations, σ = 1 / (2√in), and zero
    /// biases (MBRL-Lib's `truncated_normal_init`).
    public init(members: Int, inputs: Int, outputs: Int, using generator: inout RandomGenerator) {
        let sigma = 1 / (2 * Float(inputs).squareRoot())
        let values = (0..<(members * inputs * outputs)).map { _ in sigma * truncatedNormal(using: &generator) }
        weight = Parameter(Tensor(values, shape: [members, inputs, outputs]))
        bias = Parameter(Tensor([Float](repeating: 0, count: members * outputs), shape: [members, 1, outputs]))
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    /// f(x·W + b), fused (`Tensor.batchedLinear`).
    public func callAsFunction(_ x: Tensor, activation: Tensor.FusedActivation = .identity) -> Tensor {
        .batchedLinear(x, weight: weight.value, bias: bias.value, activation: activation)
    }
}

/// log(1 + eˣ), computed as max(x, 0) + log(1 + e^−|x|) so it never overflows.
func softplus(_ x: Tensor) -> Tensor { x.relu() + (1 + (-x.abs()).exp()).log() }

public final class ProbabilisticEnsemble: Module {
    public let members: Int, inputSize: Int, outputSize: Int
    let hidden: [EnsembleLinear]
    /// One layer giving μ and the raw log σ² side by side: [E, B, 2·out].
    let head: EnsembleLinear
    /// The soft bounds of log σ², [1, out]: −10 and 0.5 at the start.
    public let minLogVariance: Parameter, maxLogVariance: Parameter
    /// Whether the bounds are trained (Chua et al.) or fixed (MBRL-Lib's default).
    public let learnsBounds: Bool

    public init(members: Int, inputSize: Int, outputSize: Int, hiddenLayers: Int = 3, hiddenSize: Int = 200,
                learnsBounds: Bool = false, using generator: inout RandomGenerator) {
        precondition(members >= 1 && inputSize >= 1 && outputSize >= 1 && hiddenLayers >= 1 && hiddenSize >= 1)
        (self.members, self.inputSize, self.outputSize, self.learnsBounds) = (members, inputSize, outputSize, learnsBounds)
        var layers: [EnsembleLinear] = []
        for i in 0..<hiddenLayers {
            layers.append(EnsembleLinear(members: members, inputs: i == 0 ? inputSize : hiddenSize, outputs: hiddenSize, using: &generator))
        }
        hidden = layers
        head = EnsembleLinear(members: members, inputs: hiddenSize, outputs: 2 * outputSize, using: &generator)
        minLogVariance = Parameter(Tensor([Float](repeating: -10, count: outputSize), shape: [1, outputSize]))
        maxLogVariance = Parameter(Tensor([Float](repeating: 0.5, count: outputSize), shape: [1, outputSize]))
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        var named: [(name: String, parameter: Parameter)] = []
        for (i, layer) in hidden.enumerated() { named += layer.parameters(prefixedBy: "hidden.\(i)") }
        named += head.parameters(prefixedBy: "head")
        if learnsBounds { named += [("min_logvar", minLogVariance), ("max_logvar", maxLogVariance)] }
        return named
    }

    /// Every parameter, the fixed bounds too (what a checkpoint holds).
    public var stateParameters: [(name: String, parameter: Parameter)] {
        learnsBounds ? namedParameters : namedParameters + [("min_logvar", minLogVariance), ("max_logvar", maxLogVariance)]
    }

    /// x: [E, B, in], already normalised → μ and log σ², each [E, B, out].
    public func callAsFunction(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        precondition(x.rank == 3 && x.shape[0] == members && x.shape[2] == inputSize, "the ensemble takes [\(members), B, \(inputSize)], got \(x.shape)")
        var h = x
        for layer in hidden { h = layer(h, activation: .leakyReLU) }  // MBRL-Lib's activation: LeakyReLU, slope 0.01
        return bounded(head(h))
    }

    /// The same as `callAsFunction` without a graph, each half of every member's rows through all layers on its own core
    /// (`Tensor.batchedInference`): the planner's prediction.
    public func inference(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        precondition(x.rank == 3 && x.shape[0] == members && x.shape[2] == inputSize, "the ensemble takes [\(members), B, \(inputSize)], got \(x.shape)")
        return withoutGrad {
            let layers = hidden.map { Tensor.BatchedLayer(weight: $0.weight.value, bias: $0.bias.value, activation: .leakyReLU) }
                + [Tensor.BatchedLayer(weight: head.weight.value, bias: head.bias.value, activation: .identity)]
            return bounded(Tensor.batchedInference(x, layers: layers))
        }
    }

    /// μ and the soft-bounded log σ² from the head's output [E, B, 2·out].
    private func bounded(_ out: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let mean = out.slice(alongAxis: 2, 0..<outputSize)
        let raw = out.slice(alongAxis: 2, outputSize..<(2 * outputSize))
        let upper = learnsBounds ? maxLogVariance.value : maxLogVariance.value.detached()
        let lower = learnsBounds ? minLogVariance.value : minLogVariance.value.detached()
        let bounded = upper - softplus(upper - raw)
        return (mean, lower + softplus(bounded - lower))
    }

    /// MBRL-Lib's `_nll_loss`: each member's Gaussian NLL (without ½ and log 2π) averaged over
    /// its batch and outputs, summed over members, plus 0.01·(Σ max − Σ min). x [E, B, in],
    /// targets [E, B, out] (each member its own bootstrap batch).
    public func negativeLogLikelihood(_ x: Tensor, targets: Tensor) -> Tensor {
        let (mean, logVariance) = self(x)
        let perElement = (mean - targets).square() * (-logVariance).exp() + logVariance
        let perMember = perElement.mean(alongAxis: 2).mean(alongAxis: 1)
        let bounds = learnsBounds ? maxLogVariance.value : maxLogVariance.value.detached()
        let floors = learnsBounds ? minLogVariance.value : minLogVariance.value.detached()
        return perMember.sum() + 0.01 * (bounds.sum() - floors.sum())
    }

    /// Mean squared error of μ per member, [E] (the validation score elites are chosen by).
    public func meanSquaredErrors(_ x: Tensor, targets: Tensor) -> [Float] {
        let (mean, _) = self(x)
        return (mean - targets).square().mean(alongAxis: 2).mean(alongAxis: 1).scalars
    }
}
