// NumPy broadcasting: shapes are aligned on the right; an axis of extent 1 stretches to match.
// Kernels here take the arithmetic as an inlined closure so each op compiles to a tight loop.

extension Tensor {
    /// The shape two operands broadcast to, or a precondition failure naming both.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1, "shapes \(a) and \(b) do not broadcast")
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Strides that read `shape` as if it had `target`'s shape (0 along stretched axes).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let pad = target.count - shape.count
        let own = contiguousStrides(shape)
        return (0..<target.count).map { i in
            i < pad || shape[i - pad] == 1 ? 0 : own[i - pad]
        }
    }

    /// Calls `row(aOffset, bOffset, outOffset)` for each run along the last axis of `shape`.
    static func forEachRow(_ shape: [Int], _ aStrides: [Int], _ bStrides: [Int],
                           _ row: (Int, Int, Int) -> Void) {
        let rank = shape.count
        let inner = shape[rank - 1]
        let rows = shape.reduce(1, *) / Swift.max(inner, 1)
        var index = [Int](repeating: 0, count: rank)
        var aOffset = 0, bOffset = 0
        for r in 0..<rows {
            row(aOffset, bOffset, r * inner)
            // Advance the multi-index over all axes but the last.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                aOffset += aStrides[axis]
                bOffset += bStrides[axis]
                if index[axis] < shape[axis] { break }
                aOffset -= aStrides[axis] * shape[axis]
                bOffset -= bStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// Element-wise `f(a, b)` with broadcasting.
    @inline(__always)
    static func zipMap(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let pa = a.storage.base, pb = b.storage.base
        if a.shape == b.shape {
            let out = Tensor(uninitializedShape: a.shape)
            let po = out.storage.base
            for i in 0..<a.count { po[i] = f(pa[i], pb[i]) }
            return out
        }
        let shape = broadcastShape(a.shape, b.shape)
        let out = Tensor(uninitializedShape: shape)
        let po = out.storage.base
        let n = out.count
        if b.count == 1 {
            let vb = pb[0]
            for i in 0..<n { po[i] = f(pa[i], vb) }
        } else if a.count == 1 {
            let va = pa[0]
            for i in 0..<n { po[i] = f(va, pb[i]) }
        } else {
            let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
            let inner = shape[shape.count - 1]
            let ia = sa[shape.count - 1], ib = sb[shape.count - 1]
            forEachRow(shape, sa, sb) { oa, ob, oo in
                let ra = pa + oa, rb = pb + ob, ro = po + oo
                switch (ia, ib) {
                case (1, 1): for i in 0..<inner { ro[i] = f(ra[i], rb[i]) }
                case (1, 0): let vb = rb[0]; for i in 0..<inner { ro[i] = f(ra[i], vb) }
                case (0, 1): let va = ra[0]; for i in 0..<inner { ro[i] = f(va, rb[i]) }
                default: let va = ra[0], vb = rb[0]; for i in 0..<inner { ro[i] = f(va, vb) }
                }
            }
        }
        return out
    }

    /// Element-wise `f(x)`.
    @inline(__always)
    func map(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        let px = storage.base, po = out.storage.base
        for i in 0..<count { po[i] = f(px[i]) }
        return out
    }

    /// Element-wise `f(self, other)` for tensors of one shape (used by backward passes).
    @inline(__always)
    func map(with other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "shapes \(shape) and \(other.shape) differ")
        let out = Tensor(uninitializedShape: shape)
        let px = storage.base, py = other.storage.base, po = out.storage.base
        for i in 0..<count { po[i] = f(px[i], py[i]) }
        return out
    }

    /// Sums a broadcast gradient back down to `target` (the operand's shape).
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let pad = rank - target.count
        precondition(pad >= 0, "cannot reduce \(shape) to \(target)")
        var reduced = self
        for axis in 0..<rank where axis < pad || (target[axis - pad] == 1 && shape[axis] != 1) {
            reduced = reduced.sum(alongAxis: axis, keepingDimensions: true)
        }
        return reduced.reshaped(to: target)
    }

    /// `f(self[i], other[i])` for two tensors of one shape, outside the graph: for the
    /// hand-written backward passes of fused ops in other modules.
    public func combined(with other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        map(with: other, f)
    }
}
