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
