@_exported import Tensor

/// A trainable tensor. Layers hold parameters by reference so that an optimiser can update
/// them in place while the layer keeps using them.
public final class Parameter {
    /// The current value, a leaf that collects gradients.
    public fileprivate(set) var value: Tensor

    public init(_ initial: Tensor) { value = initial.detached().requiringGrad() }

    public var shape: [Int] { value.shape }
    public var grad: Tensor? { value.grad }
    public func zeroGrad() { value.zeroGrad() }

    /// Replaces the value (gradient history is dropped).
    public func assign(_ newValue: Tensor) {
        precondition(newValue.shape == value.shape, "cannot assign \(newValue.shape) to a parameter of shape \(value.shape)")
        value = newValue.detached().requiringGrad()
    }

    /// Updates the value in place, keeping its gradient (what optimisers do).
    public func update(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        value.withUnsafeMutableBufferPointer(body)
    }
}

/// Anything with parameters. Each module lists its own, by name; nested modules prefix their
/// children's names with a dot, so names read like `policy.0.weight` and become checkpoint keys.
public protocol Module: AnyObject {
    var namedParameters: [(name: String, parameter: Parameter)] { get }
    /// Switches training-only behaviour (dropout) on or off, here and in children.
    func setTraining(_ isTraining: Bool)
}

extension Module {
    public func setTraining(_ isTraining: Bool) {}

    public var parameters: [Parameter] { namedParameters.map(\.parameter) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Copies every value from `other`, which must have the same names and shapes
    /// (target networks in DQN start this way).
    public func copyParameters(from other: Module) {
        let source = Dictionary(other.namedParameters.map { ($0.name, $0.parameter) }, uniquingKeysWith: { a, _ in a })
        for (name, parameter) in namedParameters {
            guard let value = source[name]?.value else { preconditionFailure("no parameter named \(name) to copy") }
            parameter.assign(value)
        }
    }
}

extension Module {
    /// Runs `body` with this module's parameters as constants: ops inside read their values but
    /// record no gradient for them, so a backward pass through the module computes only what flows
    /// to its inputs (PyTorch: `requires_grad_(False)` around the call). An actor's loss through a
    /// critic needs ∂Q/∂a, not ∂Q/∂θ_Q: freezing saves the weight-gradient products and changes no
    /// number the actor receives. Gradients already accumulated are kept.
    public func withFrozenParameters<Result>(_ body: () throws -> Result) rethrows -> Result {
        let live = parameters.map { parameter in
            let value = parameter.value
            parameter.value = value.detached()
            return (parameter, value)
        }
        defer { for (parameter, value) in live { parameter.value = value } }
        return try body()
    }

    /// This module's parameters named as a child called `prefix`: `prefix.name`.
    public func parameters(prefixedBy prefix: String) -> [(name: String, parameter: Parameter)] {
        namedParameters.map { ("\(prefix).\($0.name)", $0.parameter) }
    }
}

/// A module that maps one tensor to another, so it can sit in a `Sequential`.
public protocol Layer: Module {
    func callAsFunction(_ input: Tensor) -> Tensor
}
