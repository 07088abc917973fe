// Shape manipulation. Tensors are always contiguous: reshape shares storage, while permute,
// concat and slice copy (matmul takes transpose flags, so the hot paths never permute).

extension Tensor {
    /// The same elements under another shape; one extent may be −1 (inferred). No copy.
    public func reshaped(to newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[inferred] = count / known
        }
        precondition(resolved.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        if resolved == shape { return self }
        let sourceShape = shape
        return Tensor(shape: resolved, storage: storage)
            .recordingGradient(of: self) { g in g.reshaped(to: sourceShape) }
    }

    public func flattened() -> Tensor { reshaped(to: [count]) }

    /// Inserts an axis of extent 1 at `axis`.
    public func unsqueezed(at axis: Int) -> Tensor {
        let position = axis < 0 ? axis + rank + 1 : axis
        precondition(position >= 0 && position <= rank, "axis \(axis) out of range for unsqueeze of \(shape)")
        var newShape = shape
        newShape.insert(1, at: position)
        return reshaped(to: newShape)
    }

    /// Removes an axis of extent 1.
    public func squeezed(at axis: Int) -> Tensor {
        let axis = normalizedAxis(axis)
        precondition(shape[axis] == 1, "cannot squeeze axis \(axis) of extent \(shape[axis])")
        var newShape = shape
        newShape.remove(at: axis)
        return reshaped(to: newShape)
    }

    /// Reorders the axes: result axis i is source axis `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        let order = order.map { normalizedAxis($0) }
        precondition(order.count == rank && Set(order).count == rank, "\(order) is not a permutation of \(rank) axes")
        if order == Array(0..<rank) { return self }
        let newShape = order.map { shape[$0] }
        let sourceStrides = strides
        let readStrides = order.map { sourceStrides[$0] }
        let out = Tensor(uninitializedShape: newShape)
        let px = storage.base, po = out.storage.base
        let inner = newShape[rank - 1], innerStride = readStrides[rank - 1]
        Tensor.forEachRow(newShape, readStrides, readStrides) { ox, _, oo in
            for i in 0..<inner { po[oo + i] = px[ox + i * innerStride] }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in order.enumerated() { inverse[axis] = i }
        return out.recordingGradient(of: self) { g in g.permuted(inverse) }
    }

    /// Swaps two axes (by default the last two: a matrix transpose).
    public func transposed(_ first: Int = -2, _ second: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalizedAxis(first), normalizedAxis(second))
        return permuted(order)
    }

    /// Elements `range` of `axis` (a copy).
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let s = split(at: axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= s.n,
                     "slice \(range) out of bounds for extent \(s.n) on axis \(axis)")
        var newShape = shape
        newShape[normalizedAxis(axis)] = range.count
        let out = Tensor(uninitializedShape: newShape)
        let px = storage.base, po = out.storage.base
        let run = range.count * s.inner
        for o in 0..<s.outer {
            (po + o * run).update(from: px + (o * s.n + range.lowerBound) * s.inner, count: run)
        }
        let sourceShape = shape
        return out.recordingGradient(of: self) { g in
            let gx = Tensor.zeros(sourceShape)
            let pg = g.storage.base, pgx = gx.storage.base
            for o in 0..<s.outer {
                (pgx + (o * s.n + range.lowerBound) * s.inner).update(from: pg + o * run, count: run)
            }
            return gx
        }
    }

    /// Joins tensors along an existing axis; all other extents must agree.
    public static func concatenate(_ parts: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!parts.isEmpty, "concatenate needs at least one tensor")
        let first = parts[0]
        let axis = first.normalizedAxis(axis)
        for part in parts {
            precondition(part.rank == first.rank && (0..<first.rank).allSatisfy { $0 == axis || part.shape[$0] == first.shape[$0] },
                         "cannot concatenate \(part.shape) with \(first.shape) along axis \(axis)")
        }
        let extents = parts.map { $0.shape[axis] }
        var newShape = first.shape
        newShape[axis] = extents.reduce(0, +)
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        let out = Tensor(uninitializedShape: newShape)
        let po = out.storage.base
        let total = newShape[axis] * inner
        var offset = 0
        for (part, extent) in zip(parts, extents) {
            let run = extent * inner, px = part.storage.base
            for o in 0..<outer { (po + o * total + offset).update(from: px + o * run, count: run) }
            offset += run
        }
        return out.recordingGradient(of: parts) { g in
            var start = 0
            return extents.map { extent in
                defer { start += extent }
                return g.slice(alongAxis: axis, start..<(start + extent))
            }
        }
    }

    /// Joins tensors of one shape along a new axis.
    public static func stack(_ parts: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!parts.isEmpty, "stack needs at least one tensor")
        precondition(parts.allSatisfy { $0.shape == parts[0].shape }, "stack needs tensors of one shape")
        return concatenate(parts.map { $0.unsqueezed(at: axis) }, alongAxis: axis)
    }
}
