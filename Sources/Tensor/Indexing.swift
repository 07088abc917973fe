// Picking elements by index, masks and comparisons.

extension Tensor {
    /// For each row along the last axis, the element at `indices[row]`: [..., C] → [...].
    /// The RL use: log π(a|s) from log-probabilities [N, A] and actions [N].
    public func gather(alongLastAxis indices: [Int]) -> Tensor {
        let columns = shape[rank - 1]
        let rows = count / Swift.max(columns, 1)
        precondition(indices.count == rows, "gather needs \(rows) indices, got \(indices.count)")
        let out = Tensor(uninitializedShape: Array(shape.dropLast()))
        let px = storage.base, po = out.storage.base
        for r in 0..<rows {
            precondition(indices[r] >= 0 && indices[r] < columns, "index \(indices[r]) out of range 0..<\(columns)")
            po[r] = px[r * columns + indices[r]]
        }
        let sourceShape = shape
        return out.recordingGradient(of: self) { g in
            let gx = Tensor.zeros(sourceShape)
            let pg = g.storage.base, pgx = gx.storage.base
            for r in 0..<rows { pgx[r * columns + indices[r]] = pg[r] }
            return gx
        }
    }

    /// Rows `indices` of the first axis, repeats allowed (embedding look-up, minibatches).
    public func indexSelect(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "indexSelect needs rank ≥ 1")
        let rows = shape[0], width = count / Swift.max(rows, 1)
        var newShape = shape
        newShape[0] = indices.count
        let out = Tensor(uninitializedShape: newShape)
        let px = storage.base, po = out.storage.base
        for (i, row) in indices.enumerated() {
            precondition(row >= 0 && row < rows, "index \(row) out of range 0..<\(rows)")
            (po + i * width).update(from: px + row * width, count: width)
        }
        let sourceShape = shape
        return out.recordingGradient(of: self) { g in
            // Scatter-add: a row picked twice receives both gradients.
            let gx = Tensor.zeros(sourceShape)
            let pg = g.storage.base, pgx = gx.storage.base
            for (i, row) in indices.enumerated() {
                let target = pgx + row * width, source = pg + i * width
                for j in 0..<width { target[j] += source[j] }
            }
            return gx
        }
    }

    /// [N] class indices → [N, classes] rows of zeros with a one at the index.
    public static func oneHot(_ indices: [Int], classes: Int) -> Tensor {
        let out = Tensor.zeros([indices.count, classes])
        for (row, index) in indices.enumerated() {
            precondition(index >= 0 && index < classes, "class \(index) out of range 0..<\(classes)")
            out.storage.base[row * classes + index] = 1
        }
        return out
    }

    /// `a` where `condition` is non-zero, else `b` (all three broadcast). Gradients flow to
    /// whichever operand was chosen; the condition is not differentiated.
    public static func select(where condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = broadcastShape(broadcastShape(condition.shape, a.shape), b.shape)
        let mask = condition.expanded(to: shape).detached()
        let out = zipMap(zipMap(mask, a.expanded(to: shape).detached()) { m, x in m != 0 ? x : 0 },
                         zipMap(mask, b.expanded(to: shape).detached()) { m, x in m != 0 ? 0 : x }, +)
        let (shapeA, shapeB, needA, needB) = (a.shape, b.shape, a.requiresGrad, b.requiresGrad)
        return out.recordingGradient(of: [a, b]) { g in
            [needA ? g.map(with: mask) { gi, m in m != 0 ? gi : 0 }.sum(toShape: shapeA) : nil,
             needB ? g.map(with: mask) { gi, m in m != 0 ? 0 : gi }.sum(toShape: shapeB) : nil]
        }
    }

    /// `value` where `mask` is non-zero, else `self` (PyTorch's `masked_fill`).
    public func maskedFill(_ mask: Tensor, with value: Float) -> Tensor {
        Tensor.select(where: mask, Tensor(value), self)
    }

    // Comparisons give 1 where true and 0 where false, with broadcasting; not differentiable.
    public static func .== (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 == $1 ? 1 : 0 } }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 != $1 ? 1 : 0 } }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 < $1 ? 1 : 0 } }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 <= $1 ? 1 : 0 } }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 > $1 ? 1 : 0 } }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { zipMap(a, b) { $0 >= $1 ? 1 : 0 } }
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }
    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }
}
