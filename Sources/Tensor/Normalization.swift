// Layer normalisation (Ba, Kiros & Hinton 2016) as one op. Its paper form — mean, subtract, square,
// mean, add ε, sqrt, divide, scale, shift — is nine graph nodes whose backward sums gradients back
// through two broadcasts (`sum(toShape:)`) and two reductions; in the tiny GPT's pretraining step
// those reductions were 16 % of the time. Fused, the forward keeps x̂ and 1/σ per row, and the
// backward is llm.c's `layernorm_backward`:
//     ∂L/∂x = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)),   ĝ = ∂L/∂y ⊙ w,   ∂L/∂w = Σ ∂L/∂y ⊙ x̂,   ∂L/∂b = Σ ∂L/∂y.
// `Tests/TensorTests` holds it to the paper form (NN's LayerNorm before the fusion) and to finite differences.

extension Tensor {
    /// y = (x − mean(x)) / √(var(x) + ε) · weight + bias over the last axis (variance biased, as PyTorch's
    /// `layer_norm`); `weight` and `bias` have the last axis' length.
    public static func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
        let width = x.shape.last ?? 1
        precondition(weight.shape == [width] && bias.shape == [width], "layer norm of width \(width) needs weight and bias of [\(width)], got \(weight.shape), \(bias.shape)")
        let rows = x.count / Swift.max(width, 1)
        var output = Tensor(uninitializedShape: x.shape)
        var normalized = Tensor(uninitializedShape: x.shape)
        var inverseDeviation = Tensor(uninitializedShape: [rows])
        x.withUnsafeBufferPointer { xs in
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { y in
                        normalized.withUnsafeMutableBufferPointer { n in
                            inverseDeviation.withUnsafeMutableBufferPointer { r in
                                for row in 0..<rows {
                                    let start = row * width
                                    var sum: Float = 0
                                    for i in start..<(start + width) { sum += xs[i] }
                                    let mean = sum / Float(width)
                                    var squares: Float = 0
                                    for i in start..<(start + width) { squares += (xs[i] - mean) * (xs[i] - mean) }
                                    let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
                                    r[row] = inverse
                                    for j in 0..<width {
                                        let xhat = (xs[start + j] - mean) * inverse
                                        n[start + j] = xhat
                                        y[start + j] = xhat * w[j] + b[j]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output.recordingGradient(of: x, weight, bias, saving: LayerNormSaved(normalized: normalized, inverseDeviation: inverseDeviation, weight: weight)) {
            saved, g in LayerNormSaved.backward(LayerNormSaved(unpacking: saved), g)
        }
    }
}

/// What the fused layer norm's backward reads: x̂, 1/σ per row, and the weight.
struct LayerNormSaved: SavedForBackward {
    private var slots: SavedTensors
    init(normalized: Tensor, inverseDeviation: Tensor, weight: Tensor) { slots = SavedTensors((normalized, inverseDeviation, weight, nil)) }
    init(unpacking saved: consuming SavedTensors) { slots = saved }
    consuming func packed() -> SavedTensors { slots }
    var normalized: Tensor { slots.slots.0! }
    var inverseDeviation: Tensor { slots.slots.1! }
    var weight: Tensor { slots.slots.2! }

    static func backward(_ s: LayerNormSaved, _ g: Tensor) -> OperandGradients {
        let width = s.weight.count, rows = s.inverseDeviation.count
        var dx = Tensor(uninitializedShape: s.normalized.shape)
        var dw = Tensor.zeros([width]), db = Tensor.zeros([width])
        g.withUnsafeBufferPointer { gs in
            s.normalized.withUnsafeBufferPointer { n in
                s.inverseDeviation.withUnsafeBufferPointer { r in
                    s.weight.withUnsafeBufferPointer { w in
                        dx.withUnsafeMutableBufferPointer { d in
                            dw.withUnsafeMutableBufferPointer { gw in
                                db.withUnsafeMutableBufferPointer { gb in
                                    for row in 0..<rows {
                                        let start = row * width
                                        var meanG: Float = 0, meanGX: Float = 0
                                        for j in 0..<width {
                                            let ghat = gs[start + j] * w[j]
                                            meanG += ghat
                                            meanGX += ghat * n[start + j]
                                            gw[j] += gs[start + j] * n[start + j]
                                            gb[j] += gs[start + j]
                                        }
                                        meanG /= Float(width)
                                        meanGX /= Float(width)
                                        for j in 0..<width {
                                            d[start + j] = r[row] * (gs[start + j] * w[j] - meanG - n[start + j] * meanGX)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, dw, db)
    }
}
