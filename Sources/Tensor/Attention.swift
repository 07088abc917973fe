// Causal multi-head self-attention as one op, from the packed projections to the heads' outputs side
// by side. Its paper form (NN's `CausalSelfAttention.paperForm`) splits [B, T, 3C] into heads with a
// permuting copy, multiplies batched [T, hs]·[hs, T] products, masks, softmaxes, multiplies again and
// permutes back: in the tiny GPT (T = 12, hs = 32) that is seven graph nodes of copies and tiny
// products for 0.1 % of the step's arithmetic. Here each (batch, head) pair reads its slices of the
// packed row in place:
//     s_ij = q_i·k_j / √hs (j ≤ i),   p_i = softmax(s_i),   o_i = Σ_j p_ij v_j
// and the backward, with g_i = ∂L/∂o_i:
//     ∂v_j = Σ_i p_ij g_i,   ∂s_ij = p_ij (g_i·v_j − Σ_k p_ik g_i·v_k),   ∂q_i = Σ_j ∂s_ij k_j / √hs,   ∂k_j = Σ_i ∂s_ij q_i / √hs.

extension Tensor {
    /// Attention outputs [B, T, C] from packed queries, keys and values [B, T, 3C] (GPT-2's `c_attn`
    /// layout: all queries, then all keys, then all values, each split into `heads` heads of C/heads);
    /// position i attends to positions 0…i.
    public static func causalSelfAttention(_ qkv: Tensor, heads: Int) -> Tensor {
        precondition(qkv.rank == 3 && qkv.shape[2] % (3 * heads) == 0, "attention expects [batch, time, 3·C] with C divisible by \(heads) heads, got \(qkv.shape)")
        let (batch, time, width) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
        let headSize = width / heads
        let scale = 1 / Float(headSize).squareRoot()
        var output = Tensor(uninitializedShape: [batch, time, width])
        var probabilities = Tensor.zeros([batch, heads, time, time])  // the future stays 0
        qkv.withUnsafeBufferPointer { packedBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                probabilities.withUnsafeMutableBufferPointer { pBuffer in
                    let (packed, out, p) = (packedBuffer.baseAddress!, outBuffer.baseAddress!, pBuffer.baseAddress!)
                    for b in 0..<batch {
                        for h in 0..<heads {
                            let q0 = b * time * 3 * width + h * headSize, k0 = q0 + width, v0 = q0 + 2 * width
                            for i in 0..<time {
                                let weights = p + ((b * heads + h) * time + i) * time  // row i of this head's [T, T]
                                var largest = -Float.infinity
                                for j in 0...i {
                                    weights[j] = dot(packed + q0 + i * 3 * width, packed + k0 + j * 3 * width, headSize) * scale
                                    largest = Swift.max(largest, weights[j])
                                }
                                var total: Float = 0
                                for j in 0...i {
                                    weights[j] = scalarExp(weights[j] - largest)
                                    total += weights[j]
                                }
                                let o = out + (b * time + i) * width + h * headSize
                                o.update(repeating: 0, count: headSize)
                                for j in 0...i {
                                    weights[j] /= total
                                    addScaled(weights[j], packed + v0 + j * 3 * width, to: o, headSize)
                                }
                            }
                        }
                    }
                }
            }
        }
        return output.recordingGradient(of: qkv, saving: AttentionSaved(qkv: qkv, probabilities: probabilities, heads: heads)) {
            saved, g in (AttentionSaved.backward(AttentionSaved(unpacking: saved), g), nil, nil)
        }
    }
}

/// What the fused attention's backward reads: the packed projections, the attention weights and the head count.
struct AttentionSaved: SavedForBackward {
    private var slots: SavedTensors
    init(qkv: Tensor, probabilities: Tensor, heads: Int) { slots = SavedTensors((qkv, probabilities, nil, nil), option: heads) }
    init(unpacking saved: consuming SavedTensors) { slots = saved }
    consuming func packed() -> SavedTensors { slots }
    var qkv: Tensor { slots.slots.0! }
    var probabilities: Tensor { slots.slots.1! }
    var heads: Int { slots.option }

    static func backward(_ s: AttentionSaved, _ g: Tensor) -> Tensor {
        let (batch, time, width, heads) = (s.qkv.shape[0], s.qkv.shape[1], s.qkv.shape[2] / 3, s.heads)
        let headSize = width / heads
        let scale = 1 / Float(headSize).squareRoot()
        var gradient = Tensor.zeros(s.qkv.shape)
        var scores = [Float](repeating: 0, count: time)  // ∂p of one query row
        s.qkv.withUnsafeBufferPointer { packedBuffer in
            s.probabilities.withUnsafeBufferPointer { pBuffer in
                g.withUnsafeBufferPointer { goBuffer in
                    gradient.withUnsafeMutableBufferPointer { dBuffer in
                        scores.withUnsafeMutableBufferPointer { dpBuffer in
                            let (packed, p, go, dqkv, dp) = (packedBuffer.baseAddress!, pBuffer.baseAddress!, goBuffer.baseAddress!,
                                                             dBuffer.baseAddress!, dpBuffer.baseAddress!)
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    let q0 = b * time * 3 * width + h * headSize, k0 = q0 + width, v0 = q0 + 2 * width
                                    for i in 0..<time {
                                        let weights = p + ((b * heads + h) * time + i) * time
                                        let gi = go + (b * time + i) * width + h * headSize, qi = q0 + i * 3 * width
                                        // ∂p_ij = g_i·v_j; ∂v_j += p_ij g_i
                                        var weighted: Float = 0
                                        for j in 0...i {
                                            let vj = v0 + j * 3 * width
                                            dp[j] = dot(gi, packed + vj, headSize)
                                            addScaled(weights[j], gi, to: dqkv + vj, headSize)
                                            weighted += weights[j] * dp[j]
                                        }
                                        // ∂s_ij = p_ij (∂p_ij − Σ_k p_ik ∂p_ik); ∂q_i += ∂s_ij k_j / √hs; ∂k_j += ∂s_ij q_i / √hs
                                        for j in 0...i {
                                            let ds = weights[j] * (dp[j] - weighted) * scale
                                            let kj = k0 + j * 3 * width
                                            addScaled(ds, packed + kj, to: dqkv + qi, headSize)
                                            addScaled(ds, packed + qi, to: dqkv + kj, headSize)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return gradient
    }
}
