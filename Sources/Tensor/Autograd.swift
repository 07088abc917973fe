// Reverse-mode automatic differentiation over a dynamic graph, as micrograd does it.
//
// Every op whose inputs track gradients gives its result a `GradNode` holding the input
// nodes and a closure that maps the gradient of the result to the gradients of the inputs.
// `backward()` orders the graph topologically and sweeps it in reverse, summing gradients
// into each node. Leaves (parameters) keep theirs; intermediate nodes drop theirs.

final class GradNode {
    /// ∂loss/∂(this tensor), summed over every path; nil until something flows in.
    var grad: Tensor?
    /// One entry per operand of the op; nil where the operand tracks no gradient.
    let inputs: [GradNode?]
    /// Gradient of the op's result → gradients of its operands (nil: none needed).
    let backward: ((Tensor) -> [Tensor?])?
    fileprivate var visited = false

    /// A leaf: a tensor created by the user with `requiresGrad`.
    init() {
        inputs = []
        backward = nil
    }

    init(inputs: [GradNode?], backward: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.backward = backward
    }

    var isLeaf: Bool { backward == nil }

    func accumulate(_ gradient: Tensor) {
        if grad == nil {
            grad = gradient
        } else {
            grad!.addInPlace(gradient)
        }
    }
}

/// Whether ops record the graph. Task-local, so a no-grad scope in one task leaves others alone.
public enum GradMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording the graph (PyTorch's `torch.no_grad()`).
public func withoutGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    public var requiresGrad: Bool { node != nil }

    /// This tensor as a leaf that collects gradients in `grad`.
    public func requiringGrad() -> Tensor {
        Tensor(shape: shape, storage: storage, node: GradNode())
    }

    /// The same values cut from the graph.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage)
    }

    /// The accumulated gradient of a leaf (or of any tensor during `backward`).
    public var grad: Tensor? { node?.grad }

    /// Edits the accumulated gradient in place (gradient clipping); nothing if there is none.
    public func modifyGradient(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        guard let node, node.grad != nil else { return }
        node.grad!.withUnsafeMutableBufferPointer(body)
    }

    /// Forgets the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() { node?.grad = nil }

    /// Records `backward` as the way gradients flow from `self` to `operands`, if grad mode is
    /// on and any operand tracks gradients. Ops call this on their freshly computed result.
    /// Public so other modules can define fused ops with hand-written backward passes.
    public func recordingGradient(of operands: [Tensor],
                                  backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard operands.contains(where: { $0.node != nil }), GradMode.isEnabled else { return self }
        return Tensor(shape: shape, storage: storage,
                      node: GradNode(inputs: operands.map(\.node), backward: backward))
    }

    public func recordingGradient(of operand: Tensor,
                                  backward: @escaping (Tensor) -> Tensor?) -> Tensor {
        guard operand.node != nil, GradMode.isEnabled else { return self }
        return Tensor(shape: shape, storage: storage,
                      node: GradNode(inputs: [operand.node], backward: { [backward($0)] }))
    }

    /// Back-propagates from this tensor. `seed` is ∂loss/∂self; it defaults to ones, so a
    /// scalar loss needs none. Gradients add up in the leaves until `zeroGrad`.
    public func backward(seed: Tensor? = nil) {
        guard let root = node else {
            preconditionFailure("backward() on a tensor that does not require grad")
        }
        let order = root.topologicalOrder()
        for node in order where !node.isLeaf { node.grad = nil }
        let seed = seed ?? Tensor.ones(shape)
        precondition(seed.shape == shape, "seed shape \(seed.shape) differs from \(shape)")
        withoutGrad {
            root.accumulate(seed.detached())
            for node in order.reversed() {
                guard let backward = node.backward, let gradient = node.grad else { continue }
                let inputGradients = backward(gradient)
                for (input, inputGradient) in zip(node.inputs, inputGradients) {
                    if let input, let inputGradient { input.accumulate(inputGradient) }
                }
                node.grad = nil  // intermediate gradients are not kept, as in PyTorch
            }
        }
    }
}

extension GradNode {
    /// Nodes reachable from this one, every node after all of its inputs.
    fileprivate func topologicalOrder() -> [GradNode] {
        var order: [GradNode] = []
        order.reserveCapacity(32)
        var stack: [(node: GradNode, nextInput: Int)] = [(self, 0)]
        stack.reserveCapacity(32)
        visited = true
        while !stack.isEmpty {
            let (node, next) = stack[stack.count - 1]
            if next < node.inputs.count {
                stack[stack.count - 1].nextInput += 1
                if let input = node.inputs[next], !input.visited {
                    input.visited = true
                    stack.append((input, 0))
                }
            } else {
                order.append(node)
                stack.removeLast()
            }
        }
        for node in order { node.visited = false }
        return order
    }
}
