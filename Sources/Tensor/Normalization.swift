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
        x.withUnsafeBufferPointer { xBuffer in
            weight.withUnsafeBufferPointer { wBuffer in
                bias.withUnsafeBufferPointer { bBuffer in
                    output.withUnsafeMutableBufferPointer { yBuffer in
                        normalized.withUnsafeMutableBufferPointer { nBuffer in
                            inverseDeviation.withUnsafeMutableBufferPointer { r in
                                let (w, b) = (wBuffer.baseAddress!, bBuffer.baseAddress!)
                                for row in 0..<rows {
                                    let (xs, n, y) = (xBuffer.baseAddress! + row * width, nBuffer.baseAddress! + row * width,
                                                      yBuffer.baseAddress! + row * width)
                                    let mean = rowSum(xs, width) / Float(width)
                                    for j in 0..<width { n[j] = xs[j] - mean }
                                    let inverse = 1 / (dot(n, n, width) / Float(width) + epsilon).squareRoot()
                                    r[row] = inverse
                                    for j in 0..<width {
                                        n[j] *= inverse
                                        y[j] = n[j] * w[j] + b[j]
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
        var scaled = [Float](repeating: 0, count: width)  // ĝ of one row
        g.withUnsafeBufferPointer { gBuffer in
            s.normalized.withUnsafeBufferPointer { nBuffer in
                s.inverseDeviation.withUnsafeBufferPointer { r in
                    s.weight.withUnsafeBufferPointer { wBuffer in
                        dx.withUnsafeMutableBufferPointer { dBuffer in
                            dw.withUnsafeMutableBufferPointer { gwBuffer in
                                db.withUnsafeMutableBufferPointer { gbBuffer in
                                    scaled.withUnsafeMutableBufferPointer { ghatBuffer in
                                        let (w, gw, gb, ghat) = (wBuffer.baseAddress!, gwBuffer.baseAddress!, gbBuffer.baseAddress!, ghatBuffer.baseAddress!)
                                        for row in 0..<rows {
                                            let (gs, n, d) = (gBuffer.baseAddress! + row * width, nBuffer.baseAddress! + row * width,
                                                              dBuffer.baseAddress! + row * width)
                                            for j in 0..<width { ghat[j] = gs[j] * w[j] }
                                            let meanG = rowSum(ghat, width) / Float(width), meanGX = dot(ghat, n, width) / Float(width)
                                            addScaled(1, gs, to: gb, width)
                                            for j in 0..<width {
                                                gw[j] = gw[j].plusProduct(gs[j], n[j])
                                                d[j] = r[row] * (ghat[j] - meanG - n[j] * meanGX)
                                            }
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
