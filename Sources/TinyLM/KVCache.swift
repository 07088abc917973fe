import NN
import Tensor

/// The keys and values every layer computed for the tokens seen so far, so that decoding one
/// more token costs one position's work rather than the whole prefix's again.
public struct KeyValueCache {
    var keys: [Tensor?]    // per layer [B, H, L, hs]
    var values: [Tensor?]
    /// Tokens cached per row (L).
    public private(set) var length = 0

    public init(layers: Int) {
        keys = Array(repeating: nil, count: layers)
        values = Array(repeating: nil, count: layers)
    }

    mutating func append(layer: Int, keys newKeys: Tensor, values newValues: Tensor) -> (keys: Tensor, values: Tensor) {
        let k = keys[layer].map { Tensor.concatenate([$0, newKeys], alongAxis: 2) } ?? newKeys
        let v = values[layer].map { Tensor.concatenate([$0, newValues], alongAxis: 2) } ?? newValues
        (keys[layer], values[layer]) = (k, v)
        return (k, v)
    }

    mutating func advance(by count: Int) { length += count }
}

extension GPT {
    /// Logits [B, t, V] for `tokens` [B][t] that follow the cached prefix, which they extend.
    /// No gradients are recorded: this is the sampling path. Prefill with the prompts, then one
    /// token at a time; the result equals the full forward over prefix + tokens (tested).
    public func callAsFunction(_ tokens: [[Int]], cache: inout KeyValueCache) -> Tensor {
        let (batch, time, start) = (tokens.count, tokens.first?.count ?? 0, cache.length)
        precondition(batch > 0 && time > 0 && start + time <= configuration.contextLength && tokens.allSatisfy { $0.count == time },
                     "cached GPT step expects rows of one length, \(start) + t ≤ \(configuration.contextLength)")
        return withoutGrad {
            let c = configuration.embedding
            let tokenVectors = tokenEmbedding(tokens.flatMap { $0 }).reshaped(to: [batch, time, c])
            var x = tokenVectors + positionEmbedding(Array(start..<(start + time)))   // [B, t, C]
            for (layer, block) in blocks.enumerated() {
                x = x + block.attention.attend(block.attentionNorm(x), layer: layer, cache: &cache)
                x = x + block.mlp(block.mlpNorm(x))
            }
            cache.advance(by: time)
            return head(finalNorm(x))                                                   // [B, t, V]
        }
    }
}

extension CausalSelfAttention {
    /// Attention of t new positions over the cached ones and themselves: query i (absolute
    /// position L₀ + i) sees keys 0…L₀ + i.
    func attend(_ x: Tensor, layer: Int, cache: inout KeyValueCache) -> Tensor {
        let (batch, time, embedding) = (x.shape[0], x.shape[1], x.shape[2])
        let headSize = embedding / headCount
        let qkv = inputProjection(x).reshaped(to: [batch, time, 3, headCount, headSize]).permuted([2, 0, 3, 1, 4])
        func part(_ i: Int) -> Tensor {
            qkv.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [batch, headCount, time, headSize])
        }
        let start = cache.length
        let (keys, values) = cache.append(layer: layer, keys: part(1), values: part(2))    // [B, H, L, hs]
        let total = start + time
        var scores = Tensor.matmul(part(0), keys, transposeB: true) / Float(headSize).squareRoot()  // [B, H, t, L]
        if time > 1 {
            let future = Tensor((0..<(time * total)).map { $0 % total > start + $0 / total ? 1 : 0 }, shape: [time, total])
            scores = scores.maskedFill(future, with: -.infinity)
        }
        let heads = Tensor.matmul(scores.softmax(), values)                                          // [B, H, t, hs]
        return outputProjection(heads.permuted([0, 2, 1, 3]).reshaped(to: [batch, time, embedding]))
    }
}
