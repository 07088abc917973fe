// Reductions over one axis or over everything. An axis splits the shape into
// (outer, n, inner): the reduced axis has extent n, `inner` elements lie between its steps.

extension Tensor {
    struct AxisSplit {
        let outer: Int, n: Int, inner: Int
        let reducedShape: [Int]  // keepDims form: the axis has extent 1
    }

    func split(at axis: Int) -> AxisSplit {
        let axis = normalizedAxis(axis)
        var kept = shape
        kept[axis] = 1
        return AxisSplit(outer: shape[..<axis].reduce(1, *), n: shape[axis],
                         inner: shape[(axis + 1)...].reduce(1, *), reducedShape: kept)
    }

    func outputShape(_ split: AxisSplit, axis: Int, keep: Bool) -> [Int] {
        if keep { return split.reducedShape }
        var result = shape
        result.remove(at: normalizedAxis(axis))
        return result
    }

    /// Copies `self` out to `target`, repeating along axes of extent 1 (the backward of sum).
    public func expanded(to target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(Tensor.broadcastShape(shape, target) == target, "cannot expand \(shape) to \(target)")
        let out = Tensor(uninitializedShape: target)
        let px = storage.base, po = out.storage.base
        let strides = Tensor.broadcastStrides(shape, to: target)
        let inner = target.last ?? 1
        let step = strides.last ?? 0
        if target.isEmpty {
            po[0] = px[0]
        } else {
            Tensor.forEachRow(target, strides, strides) { ox, _, oo in
                if step == 1 {
                    (po + oo).update(from: px + ox, count: inner)
                } else {
                    (po + oo).update(repeating: px[ox], count: inner)
                }
            }
        }
        let sourceShape = shape
        return out.recordingGradient(of: self) { g in g.sum(toShape: sourceShape) }
    }

    // MARK: Sum and mean

    public func sum() -> Tensor {
        var total: Float = 0
        let px = storage.base
        for i in 0..<count { total += px[i] }
        let sourceShape = shape
        return Tensor(total).recordingGradient(of: self) { g in g.expanded(to: sourceShape) }
    }

    public func sum(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        let s = split(at: axis)
        let out = Tensor.zeros(outputShape(s, axis: axis, keep: keep))
        let px = storage.base, po = out.storage.base
        for o in 0..<s.outer {
            let row = po + o * s.inner
            for k in 0..<s.n {
                let source = px + (o * s.n + k) * s.inner
                for i in 0..<s.inner { row[i] += source[i] }
            }
        }
        let (sourceShape, kept) = (shape, s.reducedShape)
        return out.recordingGradient(of: self) { g in g.reshaped(to: kept).expanded(to: sourceShape) }
    }

    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    public func mean(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        sum(alongAxis: axis, keepingDimensions: keep) / Float(shape[normalizedAxis(axis)])
    }

    /// Variance along an axis; `unbiased` divides by n − 1 (PyTorch's default) instead of n.
    public func variance(alongAxis axis: Int, keepingDimensions keep: Bool = false,
                         unbiased: Bool = true) -> Tensor {
        let n = shape[normalizedAxis(axis)]
        let deviation = self - mean(alongAxis: axis, keepingDimensions: true)
        return (deviation * deviation).sum(alongAxis: axis, keepingDimensions: keep)
            / Float(unbiased ? n - 1 : n)
    }

    // MARK: Max, min, argmax

    /// Index of the first largest (or smallest) element along the axis, for every other index.
    func extremeIndices(_ s: AxisSplit, largest: Bool) -> [Int] {
        let px = storage.base
        var result = [Int](repeating: 0, count: s.outer * s.inner)
        for o in 0..<s.outer {
            for i in 0..<s.inner {
                var best = 0
                var bestValue = px[o * s.n * s.inner + i]
                for k in 1..<Swift.max(s.n, 1) {
                    let v = px[(o * s.n + k) * s.inner + i]
                    if largest ? v > bestValue : v < bestValue { best = k; bestValue = v }
                }
                result[o * s.inner + i] = best
            }
        }
        return result
    }

    func extreme(alongAxis axis: Int, keep: Bool, largest: Bool) -> Tensor {
        let s = split(at: axis)
        precondition(s.n > 0, "\(largest ? "max" : "min") over an empty axis")
        let indices = extremeIndices(s, largest: largest)
        let out = Tensor(uninitializedShape: outputShape(s, axis: axis, keep: keep))
        let px = storage.base, po = out.storage.base
        for o in 0..<s.outer {
            for i in 0..<s.inner { po[o * s.inner + i] = px[(o * s.n + indices[o * s.inner + i]) * s.inner + i] }
        }
        let sourceShape = shape
        return out.recordingGradient(of: self) { g in
            // The gradient goes to the selected element only (the first, on ties).
            let gx = Tensor.zeros(sourceShape)
            let pg = g.storage.base, pgx = gx.storage.base
            for o in 0..<s.outer {
                for i in 0..<s.inner { pgx[(o * s.n + indices[o * s.inner + i]) * s.inner + i] = pg[o * s.inner + i] }
            }
            return gx
        }
    }

    public func max(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        extreme(alongAxis: axis, keep: keep, largest: true)
    }

    public func min(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        extreme(alongAxis: axis, keep: keep, largest: false)
    }

    public func max() -> Tensor { reshaped(to: [count]).max(alongAxis: 0) }
    public func min() -> Tensor { reshaped(to: [count]).min(alongAxis: 0) }

    /// Indices of the largest elements along the axis, row-major over the other axes.
    public func argmax(alongAxis axis: Int) -> [Int] {
        let s = split(at: axis)
        precondition(s.n > 0, "argmax over an empty axis")
        return extremeIndices(s, largest: true)
    }

    /// Flat index of the largest element.
    public func argmax() -> Int { reshaped(to: [count]).argmax(alongAxis: 0)[0] }

    // MARK: Log-sum-exp

    /// log Σ exp(x) along the axis, computed stably by shifting by the maximum.
    public func logSumExp(alongAxis axis: Int, keepingDimensions keep: Bool = false) -> Tensor {
        let s = split(at: axis)
        let out = Tensor(uninitializedShape: s.reducedShape)
        let px = storage.base, po = out.storage.base
        for o in 0..<s.outer {
            for i in 0..<s.inner {
                var m = -Float.infinity
                for k in 0..<s.n { m = Swift.max(m, px[(o * s.n + k) * s.inner + i]) }
                var total: Float = 0
                for k in 0..<s.n { total += scalarExp(px[(o * s.n + k) * s.inner + i] - m) }
                po[o * s.inner + i] = m.isFinite ? m + scalarLog(total) : m
            }
        }
        let x = self
        let result = out.recordingGradient(of: x) { g in
            // ∂/∂x = exp(x − lse): the softmax.
            Tensor.zipMap(x, out) { xi, li in scalarExp(xi - li) } * g.reshaped(to: s.reducedShape)
        }
        return keep ? result : result.reshaped(to: outputShape(s, axis: axis, keep: false))
    }
}
