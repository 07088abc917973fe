// Independent parts of one backward pass, on two threads.
//
// An actor-critic loss is L = L_policy + c·L_value over two networks that share nothing: below
// the few scalars that add the terms up, the graph falls apart into independent pieces, and the
// backward of one piece never touches the other's nodes or parameters. `backward()` finds those
// pieces (union-find over the graph without its scalar top) and, with a `HelperThread` bound,
// sweeps them on two threads. The schedule is the same with or without a helper — the scalar top
// first, then each piece in reverse topological order — so the numbers never depend on the thread
// count. An algorithm writes its loss as the paper does and calls `backward()` once.

extension GraphTraversal {
    /// Splits `order` (every node after its inputs, the root last) into the scalar top — nodes of
    /// one element all of whose consumers are in the top, the root among them — and the pieces
    /// below it, connected through their own edges. Fills `top`, and `pieces` with each piece's
    /// nodes in topological order; false when there are fewer than two pieces.
    func planPieces() -> Bool {
        let count = order.count
        guard count > 2 else { return false }
        // Most graphs are one network's loss: a scalar root over a chain of one-input scalar ops
        // down to one tensor that is not a scalar. Such a graph is one piece; walking the chain
        // says so without touching the other nodes.
        var node = order[count - 1]
        while true {
            var inputs = 0, only: GradNode?
            for i in 0..<node.inputCount { if let input = node.input(i) { inputs += 1; only = input } }
            if inputs >= 2 { break }
            guard let next = only, next.isScalar else { return false }
            node = next
        }
        for (index, node) in order.enumerated() { node.planIndex = index }
        consumersOutsideTop.removeAll(keepingCapacity: true)
        consumersOutsideTop.append(contentsOf: repeatElement(0, count: count))
        isTop.removeAll(keepingCapacity: true)
        isTop.append(contentsOf: repeatElement(false, count: count))
        // From the root down: a node joins the top when it is a scalar and no consumer is outside it.
        for index in stride(from: count - 1, through: 0, by: -1) {
            let node = order[index]
            isTop[index] = index == count - 1 || (consumersOutsideTop[index] == 0 && node.isScalar)
            if !isTop[index] {
                for i in 0..<node.inputCount { if let input = node.input(i) { consumersOutsideTop[input.planIndex] += 1 } }
            }
        }
        // Two pieces need at least two edges from the top into the rest (one network's loss has one).
        var edgesDown = 0
        for index in 0..<count where isTop[index] {
            let node = order[index]
            for i in 0..<node.inputCount { if let input = node.input(i), !isTop[input.planIndex] { edgesDown += 1 } }
        }
        guard edgesDown >= 2 else { return false }
        // Union-find over the edges between nodes below the top.
        parent.removeAll(keepingCapacity: true)
        parent.append(contentsOf: 0..<count)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for index in 0..<count where !isTop[index] {
            let node = order[index]
            for i in 0..<node.inputCount {
                if let input = node.input(i), !isTop[input.planIndex] {
                    let (a, b) = (find(index), find(input.planIndex))
                    if a != b { parent[a] = b }
                }
            }
        }
        top.removeAll(keepingCapacity: true)
        pieceOf.removeAll(keepingCapacity: true)
        pieceOf.append(contentsOf: repeatElement(-1, count: count))
        var pieceCount = 0
        for index in 0..<count {
            if isTop[index] { top.append(order[index]); continue }
            let root = find(index)
            if pieceOf[root] < 0 { pieceOf[root] = pieceCount; pieceCount += 1 }
            pieceOf[index] = pieceOf[root]
        }
        guard pieceCount >= 2 else { return false }
        while pieces.count < pieceCount { pieces.append([]) }
        for p in 0..<pieces.count { pieces[p].removeAll(keepingCapacity: true) }
        for index in 0..<count where !isTop[index] { pieces[pieceOf[index]].append(order[index]) }
        activePieces = pieceCount
        return true
    }

    /// Runs `nodes`' backward functions, the last node first, and frees what each needed.
    @inline(__always) static func sweep(_ nodes: [GradNode]) {
        for node in nodes.reversed() where !node.isLeaf {
            if let gradient = node.grad { node.propagate(gradient) }
            node.grad = nil  // intermediate gradients are not kept, as in PyTorch
            node.release()
        }
    }

    /// Sweeps the pieces `first` on this thread and `second` on the helper's, at the same time.
    func sweepSideBySide(_ first: Range<Int>, _ second: Range<Int>, helper: HelperThread, needsNoGradScope: Bool) {
        let work = UncheckedSendable(self)
        helper.run { part in
            let traversal = work.value
            if part == 0 {
                for p in first { GraphTraversal.sweep(traversal.pieces[p]) }
                return
            }
            // The helper thread has its own buffers and, not being in this task, its own grad mode.
            withTensorPool(helper.pool) {
                if needsNoGradScope {
                    withoutGrad { for p in second { GraphTraversal.sweep(traversal.pieces[p]) } }
                } else {
                    for p in second { GraphTraversal.sweep(traversal.pieces[p]) }
                }
            }
        }
    }

    /// The pieces in two runs, the first for the calling thread and the second for the helper:
    /// pieces whose forward ran on the helper (`evaluateTogether`) go back to it, where their
    /// tensors are in cache; otherwise the split balances node counts. Pieces are independent,
    /// so which thread sweeps one changes no number.
    func shares() -> (first: Range<Int>, second: Range<Int>) {
        // The pieces made on this thread first, those made on the helper after (a stable partition).
        var front = 0
        for p in 0..<activePieces {
            var made = 0
            for node in pieces[p] where node.madeOnHelper { made += 1 }
            if made * 2 <= pieces[p].count { pieces.swapAt(p, front); front += 1 }
        }
        if front > 0 && front < activePieces { return (0..<front, front..<activePieces) }
        // Pieces keep the order in which the sort found them (deterministic); the split balances nodes.
        let total = pieces[0..<activePieces].reduce(0) { $0 + $1.count }
        var running = 0, split = 1
        for p in 0..<activePieces {
            running += pieces[p].count
            if running * 2 >= total { split = Swift.max(1, Swift.min(p + 1, activePieces - 1)); break }
        }
        return (0..<split, split..<activePieces)
    }
}
