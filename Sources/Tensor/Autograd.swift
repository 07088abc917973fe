// Reverse-mode automatic differentiation over a dynamic graph, as micrograd does it.
//
// Every op whose inputs track gradients gives its result a `GradNode` holding the input
// nodes and a backward function that maps the gradient of the result to the gradients of
// the inputs. `backward()` orders the graph topologically and sweeps it in reverse, summing
// gradients into each node. Leaves (parameters) keep theirs; intermediate nodes drop theirs,
// and, as PyTorch does without `retain_graph`, each node lets go of what its backward needed
// once it has run, so a graph is differentiated once.
//
// Most ops record a closure that captures what its backward reads. The fused ops of a
// training step (linear layers, losses) instead save up to four tensors in the node and
// record a function that captures nothing: no closure context, no arrays, so with a
// `TensorPool` in scope a step allocates nothing at all.

/// The slots of a graph node that a fused op's backward reads from: up to four tensors, one
/// number and one small option. An op never reads the slots by position: it packs and unpacks
/// them through a `SavedForBackward` struct of its own that names them (`LinearSaved.input`, …).
public struct SavedTensors {
    public var slots: (Tensor?, Tensor?, Tensor?, Tensor?)
    public var constant: Float
    public var option: Int

    public init(_ slots: (Tensor?, Tensor?, Tensor?, Tensor?) = (nil, nil, nil, nil), constant: Float = 0, option: Int = 0) {
        (self.slots, self.constant, self.option) = (slots, constant, option)
    }
}

/// What one fused op keeps for its backward, by name, stored in a node's `SavedTensors`.
/// Both conversions consume their source, so the tensors move between the two forms without
/// reference counting (a step's backward unpacks every node it runs).
public protocol SavedForBackward {
    init(unpacking saved: consuming SavedTensors)
    consuming func packed() -> SavedTensors
}

/// Gradients for an op's first three operands (nil where none flows).
public typealias OperandGradients = (Tensor?, Tensor?, Tensor?)

final class GradNode {
    enum Backward {
        case none                                   // a leaf
        case released                               // a node whose backward has run
        case single((Tensor) -> Tensor?)            // one operand
        case several((Tensor) -> [Tensor?])         // any number of operands
        case fused((consuming SavedTensors, Tensor) -> OperandGradients)  // reads `saved`; captures nothing
    }

    /// ∂loss/∂(this tensor), summed over every path; nil until something flows in.
    var grad: Tensor?
    /// The operands' nodes (nil where an operand tracks no gradient): three inline, so that
    /// recording an op needs no array, and any further ones in `moreInputs`.
    var input0: GradNode?, input1: GradNode?, input2: GradNode?
    var moreInputs: [GradNode?] = []
    var backward = Backward.none
    var saved = SavedTensors()
    fileprivate var visited = false
    /// The node's tensor has one element (a loss, a term of one); see ParallelBackward.swift.
    var isScalar = false
    /// Position in the current backward's topological order (ParallelBackward.swift).
    var planIndex = 0
    /// Recorded on a helper thread: its backward best runs there too, where its data is. (Set
    /// once, by the helper's pool: a pool's nodes are only ever recorded on its thread.)
    var madeOnHelper = false

    /// A tensor created with `requiringGrad`, not by an op: it keeps its gradient.
    var isLeaf: Bool {
        if case .none = backward { true } else { false }
    }

    var inputCount: Int { moreInputs.isEmpty ? 3 : 3 + moreInputs.count }

    func input(_ index: Int) -> GradNode? {
        switch index {
        case 0: input0
        case 1: input1
        case 2: input2
        default: moreInputs[index - 3]
        }
    }

    /// Drops what the backward needed (inputs, saved tensors, the closure).
    func release() {
        (input0, input1, input2) = (nil, nil, nil)
        if !moreInputs.isEmpty { moreInputs = [] }
        backward = .released
        saved = SavedTensors()
    }

    /// A node from the thread's pool (reset) or a new one, recording an op whose backward is
    /// `backward`, on operands whose nodes are `inputs`; nil when grad mode is off.
    static func recording(_ backward: Backward, scalar: Bool, inputs first: GradNode?, _ second: GradNode? = nil,
                          _ third: GradNode? = nil, more: [GradNode?] = []) -> GradNode? {
        guard GradMode.isEnabled else { return nil }
        let node: GradNode
        if let pool = TensorPool.current {
            node = pool.node()
            node.release()  // in case the last graph was never differentiated
            node.grad = nil
        } else {
            node = GradNode()
        }
        (node.input0, node.input1, node.input2, node.moreInputs) = (first, second, third, more)
        node.backward = backward
        node.isScalar = scalar
        return node
    }

    func accumulate(_ gradient: Tensor) {
        if let grad {
            // Out of place: `grad` may be shared (with a caller, or a pool), never written.
            self.grad = Tensor.zipMap(grad, gradient, +)
        } else {
            grad = gradient
        }
    }

    /// Runs this node's backward on its gradient and adds the results into its inputs.
    func propagate(_ gradient: Tensor) {
        switch backward {
        case .none:
            return
        case .released:
            preconditionFailure("backward() through a graph a second time: its saved values were freed by the first")
        case .single(let function):
            if let input0, let inputGradient = function(gradient) { input0.accumulate(inputGradient) }
        case .several(let function):
            for (index, inputGradient) in function(gradient).enumerated() {
                if let inputGradient, let input = input(index) { input.accumulate(inputGradient) }
            }
        case .fused(let function):
            // Take the saved tensors out (a swap, no reference counting); the node is done with them.
            var taken = SavedTensors()
            swap(&taken, &saved)
            let (g0, g1, g2) = function(consume taken, gradient)
            if let input0, let g0 { input0.accumulate(g0) }
            if let input1, let g1 { input1.accumulate(g1) }
            if let input2, let g2 { input2.accumulate(g2) }
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

    /// Edits the accumulated gradient (gradient clipping); nothing if there is none. Writes in
    /// place when nothing else holds the gradient's buffer, else into a copy.
    public func modifyGradient(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        guard let node, var gradient = node.grad else { return }
        node.grad = nil  // so that the buffer is not held twice while we write
        gradient.withUnsafeMutableBufferPointer(body)
        node.grad = gradient
    }

    /// Forgets the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() { node?.grad = nil }

    /// Records `backward` as the way gradients flow from `self` to `operands`, if grad mode is
    /// on and any operand tracks gradients. Ops call this on their freshly computed result.
    /// Public so other modules can define fused ops with hand-written backward passes.
    public func recordingGradient(of operands: [Tensor],
                                  backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard operands.contains(where: { $0.node != nil }) else { return self }
        func input(_ index: Int) -> GradNode? { index < operands.count ? operands[index].node : nil }
        guard let node = GradNode.recording(.several(backward), scalar: count == 1, inputs: input(0), input(1), input(2),
                                            more: operands.dropFirst(3).map(\.node))
        else { return self }
        return Tensor(shape: shape, storage: storage, node: node)
    }

    public func recordingGradient(of operand: Tensor,
                                  backward: @escaping (Tensor) -> Tensor?) -> Tensor {
        guard let input = operand.node, let node = GradNode.recording(.single(backward), scalar: count == 1, inputs: input) else { return self }
        return Tensor(shape: shape, storage: storage, node: node)
    }

    /// Records a fused op on up to three operands whose backward reads only `saved` (pass a
    /// closure that captures nothing, such as `{ Op.backward(Saved(unpacking: $0), $1) }`: then
    /// recording allocates nothing). Its results go to the operands in order.
    public func recordingGradient<Saved: SavedForBackward>(of first: Tensor, _ second: Tensor? = nil, _ third: Tensor? = nil,
                                                           saving saved: @autoclosure () -> Saved,
                                                           backward: @escaping (consuming SavedTensors, Tensor) -> OperandGradients) -> Tensor {
        guard first.node != nil || second?.node != nil || third?.node != nil,
              let node = GradNode.recording(.fused(backward), scalar: count == 1, inputs: first.node, second?.node, third?.node)
        else { return self }
        node.saved = saved().packed()
        return Tensor(shape: shape, storage: storage, node: node)
    }

    /// Back-propagates from this tensor. `seed` is ∂loss/∂self; it defaults to ones, so a
    /// scalar loss needs none. Gradients add up in the leaves until `zeroGrad`. The graph is
    /// released as it goes: a second `backward` through the same ops finds no path back.
    public func backward(seed: Tensor? = nil) {
        guard let root = node else {
            preconditionFailure("backward() on a tensor that does not require grad")
        }
        let seed = seed ?? Tensor.ones(shape)
        precondition(seed.shape == shape, "seed shape \(seed.shape) differs from \(shape)")
        let pool = TensorPool.current
        let scratch = pool?.takeTraversal() ?? GraphTraversal()
        defer { pool?.giveBack(scratch) }
        scratch.sortTopologically(from: root)
        var onlyFused = true
        for node in scratch.order where !node.isLeaf {
            node.grad = nil
            if case .fused = node.backward {} else { onlyFused = false }
        }
        let sweep = {
            root.accumulate(seed.detached())
            guard scratch.planPieces() else { return GraphTraversal.sweep(scratch.order) }
            // The scalar top first, then the independent pieces below it: on two threads with a
            // helper, one after the other without; either way the same arithmetic.
            GraphTraversal.sweep(scratch.top)
            let (first, second) = scratch.shares()
            if let helper = HelperThread.current {
                scratch.sweepSideBySide(first, second, helper: helper, needsNoGradScope: !onlyFused)
            } else {
                for p in first { GraphTraversal.sweep(scratch.pieces[p]) }
                for p in second { GraphTraversal.sweep(scratch.pieces[p]) }
            }
        }
        // Backward closures of ordinary ops call ops, which must not record; fused backward
        // functions use bare kernels, so a graph of those needs no no-grad scope (binding the
        // task-local costs an allocation).
        if onlyFused { sweep() } else { withoutGrad(sweep) }
        scratch.clear()
    }
}

/// The working arrays of a backward pass, kept by a pool between passes (arrays that grow
/// anew every step would be allocations).
final class GraphTraversal {
    /// Nodes reachable from the root, every node after all of its inputs.
    private(set) var order: [GradNode] = []
    private var stack: [(node: GradNode, nextInput: Int)] = []
    // The plan of independent pieces (ParallelBackward.swift).
    var top: [GradNode] = [], pieces: [[GradNode]] = [], activePieces = 0
    var isTop: [Bool] = [], consumersOutsideTop: [Int] = [], parent: [Int] = [], pieceOf: [Int] = []

    init() {
        order.reserveCapacity(32)
        stack.reserveCapacity(32)
    }

    func sortTopologically(from root: GradNode) {
        root.visited = true
        stack.append((root, 0))
        while !stack.isEmpty {
            let (node, next) = stack[stack.count - 1]
            if next < node.inputCount {
                stack[stack.count - 1].nextInput += 1
                if let input = node.input(next), !input.visited {
                    input.visited = true
                    stack.append((input, 0))
                }
            } else {
                order.append(node)
                stack.removeLast()
            }
        }
        for node in order { node.visited = false }
    }

    func clear() {
        order.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        top.removeAll(keepingCapacity: true)
        for p in 0..<activePieces { pieces[p].removeAll(keepingCapacity: true) }
        activePieces = 0
    }
}
