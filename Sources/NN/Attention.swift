/// Multi-head self-attention with a causal mask (each position sees itself and the past), as
/// in GPT-2: one projection to queries, keys and values, scaled dot products, softmax, and an
/// output projection. Input and output are [batch, time, embedding].
public final class CausalSelfAttention: Layer {
    public let inputProjection: Linear   // C → 3C: queries, keys, values
    public let outputProjection: Linear  // C → C
    public let headCount: Int
    public let dropout: Dropout

    public init(embedding: Int, heads: Int, dropout: Float = 0, using generator: inout RandomGenerator) {
        precondition(embedding % heads == 0, "embedding \(embedding) is not divisible by \(heads) heads")
        inputProjection = Linear(embedding, 3 * embedding, using: &generator)
        outputProjection = Linear(embedding, embedding, using: &generator)
        headCount = heads
        self.dropout = Dropout(probability: dropout, seed: generator.next())
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        inputProjection.parameters(prefixedBy: "c_attn") + outputProjection.parameters(prefixedBy: "c_proj")
    }

    public func setTraining(_ isTraining: Bool) { dropout.setTraining(isTraining) }

    /// Causal attention of x [B, T, C] over itself: the fused core op (`Tensor.causalSelfAttention`) between the
    /// two projections, or the paper form while dropout is active.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard !dropout.isActive else { return paperForm(x) }
        return outputProjection(.causalSelfAttention(inputProjection(x), heads: headCount))
    }

    /// The same in separate ops (split heads, scaled scores, mask, softmax, weighted values, merge heads):
    /// the reference the fused op is tested against, and the path with attention dropout.
    public func paperForm(_ x: Tensor) -> Tensor { attend(x, past: nil).output }

    /// Attention of x's t positions over `past` keys and values ([B, H, L₀, hs], a decoder's cache)
    /// and themselves: query i, at absolute position L₀ + i, sees keys 0…L₀ + i. Returns the
    /// output [B, t, C] and all keys and values [B, H, L₀ + t, hs], the cache to pass next time.
    public func attend(_ x: Tensor, past: (keys: Tensor, values: Tensor)?) -> (output: Tensor, keys: Tensor, values: Tensor) {
        precondition(x.rank == 3, "attention expects [batch, time, embedding], got \(x.shape)")
        let (batch, time, embedding) = (x.shape[0], x.shape[1], x.shape[2])
        let headSize = embedding / headCount
        // [B, T, 3C] → [3, B, H, T, hs]
        let qkv = inputProjection(x).reshaped(to: [batch, time, 3, headCount, headSize]).permuted([2, 0, 3, 1, 4])
        func part(_ i: Int) -> Tensor {
            qkv.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [batch, headCount, time, headSize])
        }
        var (q, k, v) = (part(0), part(1), part(2))
        let start = past?.keys.shape[2] ?? 0
        if let past {
            k = Tensor.concatenate([past.keys, k], alongAxis: 2)
            v = Tensor.concatenate([past.values, v], alongAxis: 2)
        }
        var scores = Tensor.matmul(q, k, transposeB: true) / Float(headSize).squareRoot()  // [B, H, T, L₀ + T]
        if time > 1 { scores = scores.maskedFill(Self.futureMask(queries: time, offset: start), with: -.infinity) }
        let weights = dropout(scores.softmax())
        let heads = Tensor.matmul(weights, v)  // [B, H, T, hs]
        let output = outputProjection(heads.permuted([0, 2, 1, 3]).reshaped(to: [batch, time, embedding]))
        return (output, k, v)
    }

    /// [queries, offset + queries]: 1 where key j lies in query i's future (j > offset + i), 0 elsewhere.
    static func futureMask(queries: Int, offset: Int) -> Tensor {
        let keys = offset + queries
        return Tensor((0..<(queries * keys)).map { $0 % keys > offset + $0 / keys ? 1 : 0 }, shape: [queries, keys])
    }
}
