// Softmax, log-softmax and sampling from categorical distributions.

extension Tensor {
    /// exp(x) / Σ exp(x) along the axis (the last by default).
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        let lse = logSumExp(alongAxis: axis, keepingDimensions: true).detached()
        let probabilities = Tensor.zipMap(self, lse) { x, l in scalarExp(x - l) }
        return probabilities.recordingGradient(of: self) { g in
            // ∂x = y ⊙ (g − Σ g⊙y)
            let weighted = Tensor.zipMap(g, probabilities, *).sum(alongAxis: axis, keepingDimensions: true)
            return Tensor.zipMap(probabilities, Tensor.zipMap(g, weighted, -), *)
        }
    }

    /// x − log Σ exp(x) along the axis (the last by default).
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        let lse = logSumExp(alongAxis: axis, keepingDimensions: true).detached()
        let out = Tensor.zipMap(self, lse, -)
        return out.recordingGradient(of: self) { g in
            // ∂x = g − softmax ⊙ Σ g
            let total = g.sum(alongAxis: axis, keepingDimensions: true)
            return Tensor.zipMap(g, Tensor.zipMap(out.map(scalarExp), total, *), -)
        }
    }

    /// log softmax(x)[row, indices[row]] for logits [N, C]: log π(a|s) in one pass instead of a
    /// log-softmax and a gather (the policy-gradient hot path). ∂x = g·(onehot − softmax).
    public func logSoftmax(picking indices: [Int]) -> Tensor {
        precondition(rank == 2, "logSoftmax(picking:) expects [N, C] logits, got \(shape)")
        let (rows, columns) = (shape[0], shape[1])
        precondition(indices.count == rows, "logSoftmax(picking:) needs \(rows) indices, got \(indices.count)")
        let out = Tensor(uninitializedShape: [rows])
        let logNormaliser = [Float](unsafeUninitializedCapacity: rows) { buffer, count in
            let px = storage.base
            for r in 0..<rows {
                let row = px + r * columns
                precondition(indices[r] >= 0 && indices[r] < columns, "index \(indices[r]) out of range 0..<\(columns)")
                var m = -Float.infinity
                for c in 0..<columns { m = Swift.max(m, row[c]) }
                var total: Float = 0
                for c in 0..<columns { total += scalarExp(row[c] - m) }
                buffer[r] = m + scalarLog(total)
                out.storage.base[r] = row[indices[r]] - buffer[r]
            }
            count = rows
        }
        let logits = self
        return out.recordingGradient(of: self) { g in
            let gx = Tensor(uninitializedShape: [rows, columns])
            let px = logits.storage.base, pg = g.storage.base, po = gx.storage.base
            for r in 0..<rows {
                for c in 0..<columns {
                    po[r * columns + c] = -pg[r] * scalarExp(px[r * columns + c] - logNormaliser[r])
                }
                po[r * columns + indices[r]] += pg[r]
            }
            return gx
        }
    }

    /// One index per row of unnormalised log-probabilities [..., C], by inverse-CDF sampling.
    public func sampleCategorical(using generator: inout RandomGenerator) -> [Int] {
        let columns = shape[rank - 1]
        let rows = count / Swift.max(columns, 1)
        let px = storage.base
        var result = [Int](repeating: 0, count: rows)
        for r in 0..<rows {
            let row = px + r * columns
            var m = -Float.infinity
            for c in 0..<columns { m = Swift.max(m, row[c]) }
            var total: Float = 0
            for c in 0..<columns { total += scalarExp(row[c] - m) }
            var threshold = generator.nextUniform() * total
            var chosen = columns - 1
            for c in 0..<columns {
                threshold -= scalarExp(row[c] - m)
                if threshold < 0 { chosen = c; break }
            }
            // Rounding can leave the tail unchosen; never pick an impossible class.
            while chosen > 0 && row[chosen] == -.infinity { chosen -= 1 }
            result[r] = chosen
        }
        return result
    }
}
