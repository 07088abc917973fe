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

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 3, "attention expects [batch, time, embedding], got \(x.shape)")
        let (batch, time, embedding) = (x.shape[0], x.shape[1], x.shape[2])
        let headSize = embedding / headCount
        // [B, T, 3C] → [3, B, H, T, hs]
        let qkv = inputProjection(x).reshaped(to: [batch, time, 3, headCount, headSize]).permuted([2, 0, 3, 1, 4])
        func part(_ i: Int) -> Tensor {
            qkv.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [batch, headCount, time, headSize])
        }
        let (q, k, v) = (part(0), part(1), part(2))
        let scores = Tensor.matmul(q, k, transposeB: true) / Float(headSize).squareRoot()
        let weights = dropout(scores.maskedFill(Self.futureMask(time), with: -.infinity).softmax())
        let heads = Tensor.matmul(weights, v)  // [B, H, T, hs]
        return outputProjection(heads.permuted([0, 2, 1, 3]).reshaped(to: [batch, time, embedding]))
    }

    /// 1 above the diagonal (the future positions a query must not see), 0 elsewhere.
    static func futureMask(_ time: Int) -> Tensor {
        Tensor((0..<(time * time)).map { $0 % time > $0 / time ? 1 : 0 }, shape: [time, time])
    }
}
