// The building blocks. Default initialisations follow PyTorch's, so a layer here and its
// PyTorch namesake start from the same distribution (and load each other's checkpoints).

/// y = x·Wᵀ + b, with W of shape [out, in].
public final class Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter?

    /// Weights and bias uniform in ±1/√in (PyTorch's default, Kaiming-uniform with a = √5).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, using generator: inout RandomGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Parameter(.uniform([outFeatures, inFeatures], low: -bound, high: bound, using: &generator))
        self.bias = bias ? Parameter(.uniform([outFeatures], low: -bound, high: bound, using: &generator)) : nil
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        .linear(input, weight: weight.value, bias: bias?.value)
    }
}

/// A table of learned vectors looked up by index; weights start N(0, 1) as in PyTorch.
public final class Embedding: Module {
    public let weight: Parameter

    public init(count: Int, dimension: Int, using generator: inout RandomGenerator) {
        weight = Parameter(.normal([count, dimension], using: &generator))
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }

    /// Indices [N] → vectors [N, dimension].
    public func callAsFunction(_ indices: [Int]) -> Tensor { weight.value.indexSelect(indices) }
}

/// Normalises the last axis to zero mean and unit (biased) variance, then scales and shifts.
public final class LayerNorm: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let epsilon: Float

    public init(_ dimension: Int, epsilon: Float = 1e-5) {
        weight = Parameter(.ones([dimension]))
        bias = Parameter(.zeros([dimension]))
        self.epsilon = epsilon
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    /// (x − mean(x)) / √(var(x) + ε) · weight + bias over the last axis, as one fused op (`Tensor.layerNorm`).
    public func callAsFunction(_ x: Tensor) -> Tensor { .layerNorm(x, weight: weight.value, bias: bias.value, epsilon: epsilon) }

    /// The same in the paper's nine ops: the reference the fused op is tested against.
    public func paperForm(_ x: Tensor) -> Tensor {
        let centred = x - x.mean(alongAxis: -1, keepingDimensions: true)
        let variance = (centred * centred).mean(alongAxis: -1, keepingDimensions: true)
        return centred / (variance + epsilon).sqrt() * weight.value + bias.value
    }
}

/// Root-mean-square normalisation of the last axis (Zhang & Sennrich, 2019): x / rms(x) · w.
public final class RMSNorm: Layer {
    public let weight: Parameter
    public let epsilon: Float

    public init(_ dimension: Int, epsilon: Float = 1e-6) {
        weight = Parameter(.ones([dimension]))
        self.epsilon = epsilon
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x / ((x * x).mean(alongAxis: -1, keepingDimensions: true) + epsilon).sqrt() * weight.value
    }
}

/// Zeroes each element with probability p while training, scaling the rest by 1/(1−p).
public final class Dropout: Layer {
    public let probability: Float
    public private(set) var isTraining = true
    private var generator: RandomGenerator

    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1)")
        self.probability = probability
        generator = RandomGenerator(seed: seed)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    public func setTraining(_ isTraining: Bool) { self.isTraining = isTraining }

    /// It drops anything now (training with a non-zero probability).
    public var isActive: Bool { isTraining && probability > 0 }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isActive else { return x }
        let keep = 1 - probability
        let mask = Tensor.uniform(x.shape, using: &generator)  // [0, 1)
        return x * ((mask .>= probability) / keep)
    }
}

/// An element-wise non-linearity as a layer.
public final class Activation: Layer {
    public enum Kind: String, Sendable, CaseIterable { case tanh, relu, sigmoid, gelu, silu, identity }
    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch kind {
        case .tanh: x.tanh()
        case .relu: x.relu()
        case .sigmoid: x.sigmoid()
        case .gelu: x.gelu()
        case .silu: x.silu()
        case .identity: x
        }
    }
}

/// Layers applied in order; parameters are named by position (`0.weight`), as PyTorch's
/// `nn.Sequential` names them.
public final class Sequential: Layer {
    public let layers: [any Layer]
    /// The forward pass, worked out once: a Linear followed by tanh or ReLU becomes one fused op.
    private let plan: [Stage]

    private enum Stage {
        case layer(any Layer)
        case fused(Linear, Tensor.FusedActivation)
    }

    public init(_ layers: [any Layer]) {
        self.layers = layers
        var plan: [Stage] = []
        var index = 0
        while index < layers.count {
            if let linear = layers[index] as? Linear, index + 1 < layers.count,
               let activation = (layers[index + 1] as? Activation)?.fused {
                plan.append(.fused(linear, activation))
                index += 2
            } else {
                plan.append(.layer(layers[index]))
                index += 1
            }
        }
        self.plan = plan
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { $0.element.parameters(prefixedBy: "\($0.offset)") }
    }

    public func setTraining(_ isTraining: Bool) { for layer in layers { layer.setTraining(isTraining) } }

    /// Applies the layers in order (fused where the plan says so).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        plan.reduce(x) { y, stage in
            switch stage {
            case .layer(let layer): layer(y)
            case .fused(let linear, let activation):
                .linear(y, weight: linear.weight.value, bias: linear.bias?.value, activation: activation)
            }
        }
    }
}

extension Activation {
    /// The same function as a `Tensor.linear` epilogue, where one exists.
    var fused: Tensor.FusedActivation? {
        switch kind {
        case .tanh: .tanh
        case .relu: .relu
        default: nil
        }
    }
}

extension Sequential {
    /// A multilayer perceptron: Linear layers of the given sizes with `activation` between
    /// them, e.g. `mlp([4, 64, 64, 2], activation: .tanh)`; after the last one too when
    /// `activatingOutput` (a trunk that heads are put on).
    public static func mlp(_ sizes: [Int], activation: Activation.Kind, activatingOutput: Bool = false,
                           using generator: inout RandomGenerator) -> Sequential {
        precondition(sizes.count >= 2, "an MLP needs at least input and output sizes")
        var layers: [any Layer] = []
        for i in 0..<(sizes.count - 1) {
            layers.append(Linear(sizes[i], sizes[i + 1], using: &generator))
            if i < sizes.count - 2 || activatingOutput { layers.append(Activation(activation)) }
        }
        return Sequential(layers)
    }
}
