// E independent linear layers applied at once — an ensemble's members, each on its own rows:
//     y_e = f(x_e·W_e + b_e),   x [E, B, in], W [E, in, out], b [E, 1, out]
// and the backward, with g_e = ∂L/∂y_e and z_e the pre-activation:
//     ∂z_e = g_e ⊙ f′(z_e),   ∂x_e = ∂z_e·W_eᵀ,   ∂W_e = x_eᵀ·∂z_e,   ∂b_e = Σ_rows ∂z_e.
// Its paper form is `matmul(x, W) + b` then the activation: three more passes over [E, B, out]
// and two more buffers: on PETS' [5, ≈2000, 200] layers the passes cost as much as a fifth of
// the products. The ensemble's fit uses it; its planner, which needs no graph, `batchedInference`.

extension Tensor {
    /// f(x·W + b) for every member e at once: x [E, B, in], weight [E, in, out], bias [E, 1, out] or none.
    public static func batchedLinear(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: FusedActivation = .identity) -> Tensor {
        precondition(x.rank == 3 && weight.rank == 3 && x.shape[0] == weight.shape[0] && x.shape[2] == weight.shape[1],
                     "batchedLinear expects x [E, B, in] and weight [E, in, out], got \(x.shape) and \(weight.shape)")
        let (members, rows, inputs, outputs) = (x.shape[0], x.shape[1], x.shape[2], weight.shape[2])
        if let bias {
            precondition(bias.shape == [members, 1, outputs], "batchedLinear bias must be [\(members), 1, \(outputs)], got \(bias.shape)")
        }
        let out = Tensor(uninitializedShape: [members, rows, outputs])
        let (px, pw, po) = (x.storage.base, weight.storage.base, out.storage.base)
        for e in 0..<members {
            let y = po + e * rows * outputs
            // The bias is written first and the product accumulates onto it; the activation follows while the rows are warm.
            sgemm(px + e * rows * inputs, transposeA: false, pw + e * inputs * outputs, transposeB: false, y,
                  m: rows, n: outputs, k: inputs, bias: bias.map { $0.storage.base + e * outputs })
            activation.apply(y, count: rows * outputs)
        }
        return out.recordingGradient(of: [x, weight] + (bias.map { [$0] } ?? [])) { g in
            let gz = activation.backward(g, output: out)                                             // ∂z [E, B, out]
            var gradients: [Tensor?] = [
                x.requiresGrad ? matmul(gz, weight, transposeB: true) : nil,                         // [E, B, in]
                weight.requiresGrad ? matmul(x, gz, transposeA: true) : nil,                         // [E, in, out]
            ]
            if let bias { gradients.append(bias.requiresGrad ? gz.sum(alongAxis: 1, keepingDimensions: true) : nil) }  // [E, 1, out]
            return gradients
        }
    }
}

extension Tensor {
    /// One layer of `batchedInference`: weight [E, in, out], bias [E, 1, out], the activation after it.
    public struct BatchedLayer {
        public var weight: Tensor, bias: Tensor, activation: FusedActivation
        public init(weight: Tensor, bias: Tensor, activation: FusedActivation) { (self.weight, self.bias, self.activation) = (weight, bias, activation) }
    }

    /// x [E, B, in] through `layers`: chained `batchedLinear`s' function (equal to rounding: the bias is added after the
    /// product here, and halves may take another kernel), for inference: no graph is recorded.
    /// Work on one core between two joins instead of four passes and a join per layer: each member's rows are cut in
    /// two halves (where by the sizes alone, so the numbers do not depend on the second core), and each half goes through
    /// every layer on its own core — the bias and activation applied to rows its product has just written. A PETS
    /// planning step calls it 75 times on [5, ≈2000, 5] through three 200-wide layers.
    public static func batchedInference(_ x: Tensor, layers: [BatchedLayer]) -> Tensor {
        precondition(x.rank == 3 && !layers.isEmpty, "batchedInference expects x [E, B, in] and at least one layer")
        let (members, rows) = (x.shape[0], x.shape[1])
        let widths = layers.reduce(into: [x.shape[2]]) { widths, layer in
            precondition(layer.weight.rank == 3 && layer.weight.shape[0] == members && layer.weight.shape[1] == widths.last!
                         && layer.bias.shape == [members, 1, layer.weight.shape[2]],
                         "batchedInference: layer \(widths.count) is \(layer.weight.shape) with bias \(layer.bias.shape) after width \(widths.last!)")
            widths.append(layer.weight.shape[2])
        }
        let out = Tensor(uninitializedShape: [members, rows, widths.last!])
        let (px, po) = (x.storage.base, out.storage.base)
        let widest = widths.dropFirst().max()!

        // Rows `range` of every member through every layer; hidden activations in two buffers of this half's own.
        func forward(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * range.count * widest)
            defer { scratch.deallocate() }
            for e in 0..<members {
                var input = UnsafePointer(px + (e * rows + range.lowerBound) * widths[0])
                for (l, layer) in layers.enumerated() {
                    let (k, n) = (widths[l], widths[l + 1])
                    let y = l == layers.count - 1 ? po + (e * rows + range.lowerBound) * n : scratch + (l % 2) * range.count * widest
                    sgemm(input, transposeA: false, layer.weight.storage.base + e * k * n, transposeB: false, y,
                          m: range.count, n: n, k: k, splitting: false)
                    layer.activation.apply(y, rows: range.count, columns: n, bias: layer.bias.storage.base + e * n)
                    input = UnsafePointer(y)
                }
            }
        }
        guard rows >= 2 * halvedProductRows else { forward(0..<rows); return out }  // too few rows to be worth a second core
        let half = (rows / 2 + halvedProductRows / 2) / halvedProductRows * halvedProductRows
        sideBySide({ forward(0..<half) }, { forward(half..<rows) })
        return out
    }
}

extension Tensor.FusedActivation {
    /// y = f(z) in place.
    func apply(_ z: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity: break
        case .tanh: for i in 0..<count { z[i] = fastTanh(z[i]) }
        case .relu: for i in 0..<count { z[i] = Swift.max(z[i], 0) }
        case .leakyReLU: for i in 0..<count { z[i] = Swift.max(z[i], Tensor.leakyReLUSlope * z[i]) }
        }
    }

    /// y = f(z + b) in place for `rows` rows of `columns`, b added to every row: one pass (loops the compiler vectorises).
    func apply(_ z: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        let slope = Tensor.leakyReLUSlope
        for r in 0..<rows {
            let row = z + r * columns
            switch self {
            case .identity: for j in 0..<columns { row[j] += bias[j] }
            case .tanh: for j in 0..<columns { row[j] = fastTanh(row[j] + bias[j]) }
            case .relu: for j in 0..<columns { row[j] = Swift.max(row[j] + bias[j], 0) }
            case .leakyReLU:
                for j in 0..<columns {
                    let v = row[j] + bias[j]
                    row[j] = Swift.max(v, slope * v)  // v above 0, 0.01·v below
                }
            }
        }
    }

    /// ∂L/∂z from ∂L/∂y and the saved output y: tanh′ = 1 − y², relu′ = [y > 0], leaky′ = [y > 0] + slope·[y ≤ 0].
    func backward(_ g: Tensor, output y: Tensor) -> Tensor {
        if self == .identity { return g }
        let gz = Tensor(uninitializedShape: g.shape)
        let (pg, py, pz) = (g.storage.base, y.storage.base, gz.storage.base)
        switch self {
        case .identity: break
        case .tanh: for i in 0..<g.count { pz[i] = pg[i] * (1 - py[i] * py[i]) }
        case .relu: for i in 0..<g.count { pz[i] = py[i] > 0 ? pg[i] : 0 }
        case .leakyReLU: for i in 0..<g.count { pz[i] = py[i] > 0 ? pg[i] : Tensor.leakyReLUSlope * pg[i] }
        }
        return gz
    }
}
